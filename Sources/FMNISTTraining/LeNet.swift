import CKernels

/// Where each LeNet-5 tensor lives in the flat parameter (and gradient) vector.
///
/// Convolution 1 weights are `[6][25]` (out × kernel taps), convolution 2 weights are stored
/// transposed as `[150][16]` with taps ordered (ky, kx, channel) for channel-last im2col, and the
/// dense weights are stored transposed as `[in][out]`. Every tensor starts on a 64-byte boundary.
enum LeNetLayout {
    struct Slot: Sendable {
        let offset: Int
        let count: Int
        /// PyTorch's fan-in: init bound is 1/sqrt(fanIn) for weights and biases alike.
        let fanIn: Int
    }

    static let imageSide = 28
    static let pixels = 784
    static let classes = 10

    // conv1: 1 → 6, 5×5, pad 2 on 28×28 → 28×28 → pool 14×14
    static let c1Out = 6, c1Taps = 25, c1Side = 28, c1Spatial = 784, padSide = 32
    // conv2: 6 → 16, 5×5 on 14×14 → 10×10 → pool 5×5
    static let p1Side = 14, p1Size = 14 * 14 * 6
    static let c2Out = 16, c2Taps = 150, c2Side = 10, c2Spatial = 100
    static let p2Size = 5 * 5 * 16
    static let f1 = 120, f2 = 84

    private static func align(_ n: Int) -> Int { (n + 15) / 16 * 16 }

    static let w1 = Slot(offset: 0, count: c1Out * c1Taps, fanIn: c1Taps)
    static let b1 = next(after: w1, count: c1Out, fanIn: c1Taps)
    static let w2t = next(after: b1, count: c2Taps * c2Out, fanIn: c2Taps)
    static let b2 = next(after: w2t, count: c2Out, fanIn: c2Taps)
    static let fc1 = next(after: b2, count: p2Size * f1, fanIn: p2Size)
    static let fc1b = next(after: fc1, count: f1, fanIn: p2Size)
    static let fc2 = next(after: fc1b, count: f1 * f2, fanIn: f1)
    static let fc2b = next(after: fc2, count: f2, fanIn: f1)
    static let fc3 = next(after: fc2b, count: f2 * classes, fanIn: f2)
    static let fc3b = next(after: fc3, count: classes, fanIn: f2)

    static let slots = [w1, b1, w2t, b2, fc1, fc1b, fc2, fc2b, fc3, fc3b]
    static let slotNames = ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
                            "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"]
    /// Length of the flat vector, padding included.
    static let storageCount = align(fc3b.offset + fc3b.count)
    /// Trainable parameters (61,706, as PyTorch counts them).
    static let parameterCount = slots.reduce(0) { $0 + $1.count }

    private static func next(after slot: Slot, count: Int, fanIn: Int) -> Slot {
        Slot(offset: align(slot.offset + slot.count), count: count, fanIn: fanIn)
    }
}

/// The network's parameters plus values derived from them (conv2 weights in other layouts).
final class LeNetParameters: @unchecked Sendable {
    let values = Tensor([LeNetLayout.storageCount])
    /// conv2 weights as `[16][150]` (out × taps).
    let w2 = Tensor([LeNetLayout.c2Out, LeNetLayout.c2Taps])
    /// conv2 weights as `[16][5][32]`: kernel rows of 30 taps zero-padded to 32 (fused backward).
    let w2Padded = Tensor([LeNetLayout.c2Out, 5, 32])

    /// PyTorch's default init: U(−1/√fanIn, 1/√fanIn) for every weight and bias, in layer order.
    init(generator: inout SeededGenerator) {
        for slot in LeNetLayout.slots {
            let bound = Float(1.0 / Double(slot.fanIn).squareRoot())
            for i in 0..<slot.count { values[slot.offset + i] = generator.nextSymmetric(bound) }
        }
        refreshDerived()
    }

    init(copying values: [Float]) {
        precondition(values.count == LeNetLayout.storageCount)
        values.withUnsafeBufferPointer { self.values.pointer.update(from: $0.baseAddress!, count: $0.count) }
        refreshDerived()
    }

    func pointer(_ slot: LeNetLayout.Slot) -> UnsafeMutablePointer<Float> { values.pointer + slot.offset }

    /// Call after every change of `values`.
    func refreshDerived() {
        fmnist_transpose(pointer(LeNetLayout.w2t), Int32(LeNetLayout.c2Taps), Int32(LeNetLayout.c2Out),
                         w2.pointer)
        let src = w2.pointer, dst = w2Padded.pointer
        for row in 0..<(LeNetLayout.c2Out * 5) {
            (dst + row * 32).update(from: src + row * 30, count: 30)
        }
    }
}

/// Per-thread buffers for forward and backward passes over up to `capacity` images. Nothing is
/// allocated after construction; gradients go to a buffer the caller passes.
///
/// Forward: per image, conv1 → fused bias/ReLU/pool → conv2 (each `fmnist_lenet_conv*_fwd`: direct on
/// the AVX-512 path, im2col + GEMM on the others) →
/// fused bias/ReLU/pool (each `fmnist_lenet_pool*_fwd`: 14 or 16 lanes at a time on the AVX-512
/// path); then the dense head as GEMMs over the whole chunk. Backward: dense head as GEMMs, then
/// per image the fused sparse pool+conv backward (only arg-max positions with a positive output
/// carry gradient), so no im2col matrix has to be kept.
final class LeNetWorkspace: @unchecked Sendable {
    typealias L = LeNetLayout
    let capacity: Int
    let gemm: GEMM

    // Kept per image for the backward pass.
    private let padded: Tensor    // [capacity][32][32] normalised, zero-padded input
    private let a1: Tensor        // [capacity][6][14][14] pooled conv1 output (channel-major)
    private let arg1: ByteBuffer  // [capacity][6][14][14]
    private let a1HWC: Tensor     // [capacity][14][14][6] the same, channel-last (conv2 input)
    private let a2: Tensor        // [capacity][5][5][16] pooled conv2 output = dense input
    private let arg2: ByteBuffer  // [capacity][5][5][16]
    // Scratch for one image.
    private let col1 = Tensor([L.c1Taps, L.c1Spatial])
    private let z1 = Tensor([L.c1Out, L.c1Spatial])
    private let col2 = Tensor([L.c2Spatial, L.c2Taps])
    private let z2 = Tensor([L.c2Spatial, L.c2Out])
    private let dA1HWC = Tensor([L.p1Size])
    private let dA1 = Tensor([L.p1Size])
    private let dW2 = Tensor([L.c2Out, 5, 32])  // conv2 weight gradient, padded rows [16][5][32]
    private let dW1 = Tensor([L.c1Out, 5, 8])   // conv1 weight gradient, padded rows [6][5][8]
    // Dense head, whole chunk.
    private let h1: Tensor, h2: Tensor
    /// `[capacity][10]` the last forward pass's logits, one row per image of the chunk.
    let logits: Tensor
    private let dLogits: Tensor, dH2: Tensor, dH1: Tensor, dA2: Tensor
    let labels: ByteBuffer
    let predicted: ByteBuffer

    init(capacity: Int, gemm: GEMM) {
        precondition(capacity > 0)
        self.capacity = capacity
        self.gemm = gemm
        padded = Tensor([capacity, L.padSide * L.padSide])
        a1 = Tensor([capacity, L.p1Size])
        arg1 = ByteBuffer(capacity * L.p1Size)
        a1HWC = Tensor([capacity, L.p1Size])
        a2 = Tensor([capacity, L.p2Size])
        arg2 = ByteBuffer(capacity * L.p2Size)
        h1 = Tensor([capacity, L.f1]); h2 = Tensor([capacity, L.f2]); logits = Tensor([capacity, L.classes])
        dLogits = Tensor([capacity, L.classes]); dH2 = Tensor([capacity, L.f2])
        dH1 = Tensor([capacity, L.f1]); dA2 = Tensor([capacity, L.p2Size])
        labels = ByteBuffer(capacity)
        predicted = ByteBuffer(capacity)
    }

    /// Forward pass over `indices.count ≤ capacity` images, and the backward pass when
    /// `gradients` is given.
    ///
    /// - Parameters:
    ///   - pixels: all images, 784 bytes each; `indices` select the ones to use.
    ///   - lut: byte → normalised value.
    ///   - gradients: receives this chunk's gradient (overwritten; layout `LeNetLayout`).
    ///   - gradientScale: multiplies dL/dlogits (1 / full batch size for a mean loss).
    /// - Returns: the summed loss and the number of correct arg-maxes; `predicted` holds them.
    @discardableResult
    func run(
        parameters: LeNetParameters, pixels: UnsafePointer<UInt8>, allLabels: UnsafePointer<UInt8>,
        indices: UnsafeBufferPointer<Int32>, lut: UnsafePointer<Float>, gradients: Tensor?,
        gradientScale: Float
    ) -> (lossSum: Double, correct: Int) {
        let n = indices.count
        precondition(n <= capacity)
        let backward = gradients != nil
        if let grads = gradients {
            // Accumulated slots start at zero; the others are overwritten below.
            precondition(grads.count == L.storageCount)
            if n == 0 { grads.fill(0); return (0, 0) }
            for slot in [L.b1, L.b2, L.fc1b, L.fc2b, L.fc3b] {
                (grads.pointer + slot.offset).update(repeating: 0, count: slot.count)
            }
            dW1.fill(0)
            dW2.fill(0)
        }
        if n == 0 { return (0, 0) }
        let p = parameters
        let g = gemm
        let keep = backward  // keep per-image activations for the backward pass

        // Convolutional trunk, one image at a time (keeps the working set in L1/L2).
        for t in 0..<n {
            let idx = Int(indices[t])
            labels.pointer[t] = allLabels[idx]
            // The images of a shuffled batch are scattered over the training set (tens of MB):
            // fetch the next one's pixels while this one goes through the trunk.
            if t + 1 < n { fmnist_prefetch(pixels + Int(indices[t + 1]) * L.pixels, L.pixels) }
            let s = keep ? t : 0
            let x = padded.pointer + s * L.padSide * L.padSide
            let a1t = a1.pointer + s * L.p1Size, arg1t = arg1.pointer + s * L.p1Size
            let a1h = a1HWC.pointer + s * L.p1Size
            fmnist_pad_normalize_u8(pixels + idx * L.pixels, 28, 28, 2, lut, x)
            fmnist_lenet_conv1_fwd(g.impl, x, p.pointer(L.w1), col1.pointer, z1.pointer)
            fmnist_lenet_pool1_fwd(g.impl, z1.pointer, p.pointer(L.b1), a1t, arg1t)
            fmnist_transpose(a1t, Int32(L.c1Out), Int32(L.p1Side * L.p1Side), a1h)
            fmnist_lenet_conv2_fwd(g.impl, a1h, p.pointer(L.w2t), col2.pointer, z2.pointer)
            fmnist_lenet_pool2_fwd(g.impl, z2.pointer, p.pointer(L.b2), a2.pointer + t * L.p2Size,
                                   arg2.pointer + t * L.p2Size)
        }

        // Dense head on the whole chunk.
        Layers.denseForward(g, x: a2.pointer, rows: n, inputs: L.p2Size, outputs: L.f1,
                            weightsT: p.pointer(L.fc1), bias: p.pointer(L.fc1b), relu: true, y: h1.pointer)
        Layers.denseForward(g, x: h1.pointer, rows: n, inputs: L.f1, outputs: L.f2,
                            weightsT: p.pointer(L.fc2), bias: p.pointer(L.fc2b), relu: true, y: h2.pointer)
        Layers.denseForward(g, x: h2.pointer, rows: n, inputs: L.f2, outputs: L.classes,
                            weightsT: p.pointer(L.fc3), bias: p.pointer(L.fc3b), relu: false,
                            y: logits.pointer)
        var hits: Int64 = 0
        let lossSum = Layers.softmaxCrossEntropy(
            logits: logits.pointer, labels: labels.pointer, rows: n, classes: L.classes,
            scale: gradientScale, grad: backward ? dLogits.pointer : nil, correct: &hits,
            predicted: predicted.pointer)
        guard let grads = gradients else { return (lossSum, Int(hits)) }

        let d = grads.pointer
        Layers.denseBackward(g, dy: dLogits.pointer, y: logits.pointer, relu: false, x: h2.pointer, rows: n,
                             inputs: L.f2, outputs: L.classes, weightsT: p.pointer(L.fc3),
                             dWeightsT: d + L.fc3.offset, dBias: d + L.fc3b.offset, accumulate: false,
                             dx: dH2.pointer)
        Layers.denseBackward(g, dy: dH2.pointer, y: h2.pointer, relu: true, x: h1.pointer, rows: n,
                             inputs: L.f1, outputs: L.f2, weightsT: p.pointer(L.fc2),
                             dWeightsT: d + L.fc2.offset, dBias: d + L.fc2b.offset, accumulate: false,
                             dx: dH1.pointer)
        Layers.denseBackward(g, dy: dH1.pointer, y: h1.pointer, relu: true, x: a2.pointer, rows: n,
                             inputs: L.p2Size, outputs: L.f1, weightsT: p.pointer(L.fc1),
                             dWeightsT: d + L.fc1.offset, dBias: d + L.fc1b.offset, accumulate: false,
                             dx: dA2.pointer)
        // Convolutional trunk backward, one image at a time, through the fused sparse kernels.
        for t in 0..<n {
            fmnist_lenet_conv2_pool_bwd(
                g.impl, a1HWC.pointer + t * L.p1Size, p.w2Padded.pointer, dA2.pointer + t * L.p2Size,
                a2.pointer + t * L.p2Size, arg2.pointer + t * L.p2Size, dW2.pointer, d + L.b2.offset,
                dA1HWC.pointer)
            fmnist_transpose(dA1HWC.pointer, Int32(L.p1Side * L.p1Side), Int32(L.c1Out), dA1.pointer)
            fmnist_lenet_conv1_pool_bwd(
                g.impl, padded.pointer + t * L.padSide * L.padSide, dA1.pointer, a1.pointer + t * L.p1Size,
                arg1.pointer + t * L.p1Size, dW1.pointer, d + L.b1.offset)
        }
        // Padded gradient rows back into the parameter layouts.
        let w2t = d + L.w2t.offset, w1 = d + L.w1.offset
        for co in 0..<L.c2Out {
            for tap in 0..<L.c2Taps { w2t[tap * L.c2Out + co] = dW2[co * 160 + (tap / 30) * 32 + tap % 30] }
        }
        for co in 0..<L.c1Out {
            for tap in 0..<L.c1Taps { w1[co * L.c1Taps + tap] = dW1[co * 40 + (tap / 5) * 8 + tap % 5] }
        }
        return (lossSum, Int(hits))
    }
}
