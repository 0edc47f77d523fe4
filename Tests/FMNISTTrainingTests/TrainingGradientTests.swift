import Testing
@testable import FMNISTTraining

/// Finite-difference checks of every layer's backward pass, on tiny shapes, for each GEMM
/// implementation. Linear layers use a random linear loss L = Σ r ⊙ y, so central differences are
/// exact up to Float rounding; the non-linear layers use inputs kept away from their kinks.
@Suite struct TrainingGradientTests {
    /// Central difference of `loss` with respect to `values[index]`.
    static func numeric(_ values: Tensor, _ index: Int, eps: Float, _ loss: () -> Double) -> Double {
        let saved = values[index]
        values[index] = saved + eps
        let up = loss()
        values[index] = saved - eps
        let down = loss()
        values[index] = saved
        return (up - down) / (2 * Double(eps))
    }

    static func dot(_ a: Tensor, _ b: Tensor) -> Double {
        precondition(a.count == b.count)
        var s = 0.0
        for i in 0..<a.count { s += Double(a[i]) * Double(b[i]) }
        return s
    }

    static func expectClose(_ analytic: Float, _ numeric: Double, tolerance: Double = 2e-3,
                            _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let error = abs(Double(analytic) - numeric)
        #expect(error <= tolerance * max(1, abs(numeric)), "\(what): analytic \(analytic) vs numeric \(numeric)",
                sourceLocation: sourceLocation)
    }

    @Test(arguments: TrainingFixtures.gemms.map(\.name))
    func convolutionChannelMajor(kernelName: String) {
        let gemm = kernelName == "portable" ? GEMM.portable : GEMM.automatic
        let (c, h, w, k, cout) = (2, 7, 6, 3, 5)
        let (oh, ow) = (h - k + 1, w - k + 1)
        let taps = c * k * k
        let x = Tensor([c, h, w], values: TrainingFixtures.randomFloats(c * h * w, seed: 1))
        let weights = Tensor([cout, taps], values: TrainingFixtures.randomFloats(cout * taps, seed: 2))
        let r = Tensor([cout, oh * ow], values: TrainingFixtures.randomFloats(cout * oh * ow, seed: 3))
        let col = Tensor([taps, oh * ow]), z = Tensor([cout, oh * ow])
        func loss() -> Double {
            Layers.convCHWForward(gemm, x: x.pointer, channels: c, height: h, width: w, kernel: k,
                                  weights: weights.pointer, outChannels: cout, col: col.pointer, z: z.pointer)
            return Self.dot(z, r)
        }
        _ = loss()
        let dW = Tensor([cout, taps]), dx = Tensor([c, h, w]), dcol = Tensor([taps, oh * ow])
        Layers.convCHWBackward(gemm, dz: r.pointer, col: col.pointer, channels: c, height: h, width: w,
                               kernel: k, weights: weights.pointer, outChannels: cout, dWeights: dW.pointer,
                               accumulate: false, dx: dx.pointer, dcol: dcol.pointer)
        for i in 0..<weights.count { Self.expectClose(dW[i], Self.numeric(weights, i, eps: 1e-2, loss), "dW[\(i)]") }
        for i in 0..<x.count { Self.expectClose(dx[i], Self.numeric(x, i, eps: 1e-2, loss), "dx[\(i)]") }
    }

    @Test(arguments: TrainingFixtures.gemms.map(\.name), [0, 2])
    func convolutionChannelLast(kernelName: String, pad: Int) {
        let gemm = kernelName == "portable" ? GEMM.portable : GEMM.automatic
        for cout in [3, 16] {
            let (h, w, c, k) = (6, 5, 3, 3)
            let (oh, ow) = (h + 2 * pad - k + 1, w + 2 * pad - k + 1)
            let taps = k * k * c
            let x = Tensor([h, w, c], values: TrainingFixtures.randomFloats(h * w * c, seed: 4))
            let wt = Tensor([taps, cout], values: TrainingFixtures.randomFloats(taps * cout, seed: 5))
            let weights = Tensor([cout, taps])
            let r = Tensor([oh * ow, cout], values: TrainingFixtures.randomFloats(oh * ow * cout, seed: 6))
            let col = Tensor([oh * ow, taps]), z = Tensor([oh * ow, cout])
            func loss() -> Double {
                Layers.convHWCForward(gemm, x: x.pointer, height: h, width: w, channels: c, kernel: k, pad: pad,
                                      weightsT: wt.pointer, outChannels: cout, col: col.pointer, z: z.pointer)
                return Self.dot(z, r)
            }
            _ = loss()
            for t in 0..<taps { for o in 0..<cout { weights[o * taps + t] = wt[t * cout + o] } }
            let dWt = Tensor([taps, cout]), dx = Tensor([h, w, c]), dcol = Tensor([oh * ow, taps])
            Layers.convHWCBackward(gemm, dz: r.pointer, col: col.pointer, height: h, width: w, channels: c,
                                   kernel: k, pad: pad, weights: weights.pointer, outChannels: cout,
                                   dWeightsT: dWt.pointer, accumulate: false, dx: dx.pointer, dcol: dcol.pointer)
            for i in 0..<wt.count { Self.expectClose(dWt[i], Self.numeric(wt, i, eps: 1e-2, loss), "dWt[\(i)]") }
            for i in 0..<x.count { Self.expectClose(dx[i], Self.numeric(x, i, eps: 1e-2, loss), "dx[\(i)]") }
        }
    }

    @Test(arguments: [false, true])
    func biasReluMaxPool(hwc: Bool) {
        let (c, h, w) = (3, 6, 4)
        // Distinct values 0.1 apart, shuffled: no ties, and no output within 0.05 of the ReLU kink.
        var g = SeededGenerator(seed: 7)
        var order = (0..<Int32(c * h * w)).map { $0 }
        order.withUnsafeMutableBufferPointer { g.shuffle($0) }
        let z = Tensor([c * h * w], values: order.map { Float($0) * 0.1 - 5.0 + 0.05 })
        let bias = Tensor([c], values: [0.3, -0.2, 0.0])
        let outCount = c * (h / 2) * (w / 2)
        let r = Tensor([outCount], values: TrainingFixtures.randomFloats(outCount, seed: 8))
        let out = Tensor([outCount]), arg = ByteBuffer(outCount)
        func loss() -> Double {
            Layers.biasReluPoolForward(z: z.pointer, hwc: hwc, channels: c, height: h, width: w,
                                       bias: bias.pointer, out: out.pointer, argmax: arg.pointer)
            return Self.dot(out, r)
        }
        _ = loss()
        #expect(out.array.contains(0) && out.array.contains { $0 > 0 }, "both ReLU regimes exercised")
        let dz = Tensor([c * h * w]), dBias = Tensor([c])
        Layers.biasReluPoolBackward(dout: r.pointer, out: out.pointer, argmax: arg.pointer, hwc: hwc,
                                    channels: c, height: h, width: w, dz: dz.pointer, dBias: dBias.pointer)
        for i in 0..<z.count { Self.expectClose(dz[i], Self.numeric(z, i, eps: 1e-2, loss), "dz[\(i)]") }
        for i in 0..<c { Self.expectClose(dBias[i], Self.numeric(bias, i, eps: 1e-2, loss), "dbias[\(i)]") }
    }

    @Test(arguments: TrainingFixtures.gemms.map(\.name), [false, true])
    func denseLayer(kernelName: String, relu: Bool) {
        let gemm = kernelName == "portable" ? GEMM.portable : GEMM.automatic
        let (rows, inputs, outputs) = (5, 19, 13)
        let x = Tensor([rows, inputs], values: TrainingFixtures.randomFloats(rows * inputs, seed: 9))
        let wt = Tensor([inputs, outputs], values: TrainingFixtures.randomFloats(inputs * outputs, seed: 10))
        let bias = Tensor([outputs], values: TrainingFixtures.randomFloats(outputs, seed: 11))
        let r = Tensor([rows, outputs], values: TrainingFixtures.randomFloats(rows * outputs, seed: 12))
        let y = Tensor([rows, outputs])
        func loss() -> Double {
            Layers.denseForward(gemm, x: x.pointer, rows: rows, inputs: inputs, outputs: outputs,
                                weightsT: wt.pointer, bias: bias.pointer, relu: relu, y: y.pointer)
            return Self.dot(y, r)
        }
        _ = loss()
        // Pre-activations closer than eps to 0 would make the ReLU difference quotient meaningless.
        let pre = Tensor([rows, outputs])
        Layers.denseForward(gemm, x: x.pointer, rows: rows, inputs: inputs, outputs: outputs,
                            weightsT: wt.pointer, bias: bias.pointer, relu: false, y: pre.pointer)
        let nearest = pre.array.map { abs($0) }.min() ?? 1
        #expect(nearest > 4e-3, "fixture keeps pre-activations off the kink (closest \(nearest))")
        _ = loss()
        let dy = Tensor([rows, outputs], values: r.array)
        let dWt = Tensor([inputs, outputs]), dBias = Tensor([outputs]), dx = Tensor([rows, inputs])
        Layers.denseBackward(gemm, dy: dy.pointer, y: y.pointer, relu: relu, x: x.pointer, rows: rows,
                             inputs: inputs, outputs: outputs, weightsT: wt.pointer, dWeightsT: dWt.pointer,
                             dBias: dBias.pointer, accumulate: false, dx: dx.pointer)
        let eps: Float = 1e-3
        for i in 0..<wt.count { Self.expectClose(dWt[i], Self.numeric(wt, i, eps: eps, loss), "dWt[\(i)]") }
        for i in 0..<bias.count { Self.expectClose(dBias[i], Self.numeric(bias, i, eps: eps, loss), "db[\(i)]") }
        for i in 0..<x.count { Self.expectClose(dx[i], Self.numeric(x, i, eps: eps, loss), "dx[\(i)]") }
    }

    @Test func softmaxCrossEntropy() {
        let (rows, classes) = (4, 10)
        let logits = Tensor([rows, classes], values: TrainingFixtures.randomFloats(rows * classes, seed: 13).map { $0 * 3 })
        let labels: [UInt8] = [0, 9, 4, 4]
        let grad = Tensor([rows, classes])
        func loss(_ g: UnsafeMutablePointer<Float>? = nil) -> Double {
            var correct: Int64 = 0
            return labels.withUnsafeBufferPointer {
                Layers.softmaxCrossEntropy(logits: logits.pointer, labels: $0.baseAddress!, rows: rows,
                                           classes: classes, scale: 1, grad: g, correct: &correct)
            }
        }
        let value = loss(grad.pointer)
        #expect(value > 0)
        for i in 0..<logits.count {
            Self.expectClose(grad[i], Self.numeric(logits, i, eps: 1e-2, { loss() }), tolerance: 1e-3, "dlogit[\(i)]")
        }
        // Uniform logits give log(10) per row.
        logits.fill(0.5)
        #expect(abs(loss() - Double(rows) * 2.302585092994046) < 1e-5)
    }

    /// The whole network as the trainer runs it, on three images: for every parameter tensor, the
    /// six entries with the largest gradient and four random ones against central differences.
    @Test(arguments: TrainingFixtures.gemms.map(\.name))
    func wholeNetwork(kernelName: String) {
        let gemm = kernelName == "portable" ? GEMM.portable : GEMM.automatic
        let data = TrainingFixtures.synthetic(count: 3, seed: 21)
        var generator = SeededGenerator(seed: 3)
        let parameters = LeNetParameters(generator: &generator)
        let workspace = LeNetWorkspace(capacity: 3, gemm: gemm)
        let lut = Tensor([256], values: (0..<256).map { Float($0) / 255 * 3 - 1 })
        let indices: [Int32] = [0, 1, 2]
        let gradients = Tensor([LeNetLayout.storageCount])
        gradients.fill(.nan)  // every entry must be written
        func run(backward: Bool) -> Double {
            parameters.refreshDerived()
            let result = data.pixels.withUnsafeBufferPointer { px in data.labels.withUnsafeBufferPointer { lb in
                indices.withUnsafeBufferPointer { idx in
                    workspace.run(parameters: parameters, pixels: px.baseAddress!, allLabels: lb.baseAddress!,
                                  indices: idx, lut: lut.pointer, gradients: backward ? gradients : nil,
                                  gradientScale: 1.0 / 3)
                }
            } }
            return result.lossSum / 3
        }
        _ = run(backward: true)
        let grads = gradients.array
        for (slot, name) in zip(LeNetLayout.slots, LeNetLayout.slotNames) {
            #expect((0..<slot.count).allSatisfy { grads[slot.offset + $0].isFinite }, "\(name) fully written")
        }
        var g = SeededGenerator(seed: 17)
        for (slot, name) in zip(LeNetLayout.slots, LeNetLayout.slotNames) {
            let largest = (0..<slot.count).sorted { abs(grads[slot.offset + $0]) > abs(grads[slot.offset + $1]) }
            let picks = Array(largest.prefix(6)) + (0..<4).map { _ in g.nextIndex(below: slot.count) }
            var kinks = 0
            for i in picks {
                // One-sided differences that disagree mean the step crossed a ReLU/max-pool kink,
                // where no finite difference is meaningful: skip such entries (at most one).
                let o = slot.offset + i, eps: Float = 1e-3, saved = parameters.values[o]
                let center = run(backward: false)
                parameters.values[o] = saved + eps
                let up = run(backward: false)
                parameters.values[o] = saved - eps
                let down = run(backward: false)
                parameters.values[o] = saved
                let forward = (up - center) / Double(eps), backward = (center - down) / Double(eps)
                if abs(forward - backward) > 0.05 * abs(forward + backward) / 2 + 3e-4 {
                    kinks += 1
                    continue
                }
                let numeric = (up - down) / (2 * Double(eps))
                let analytic = Double(grads[o])
                #expect(abs(analytic - numeric) <= 0.02 * abs(numeric) + 3e-4,
                        "\(kernelName) \(name)[\(i)]: analytic \(analytic) vs numeric \(numeric)")
            }
            #expect(kinks <= 1, "\(name): \(kinks) entries sat on kinks")
        }
    }
}
