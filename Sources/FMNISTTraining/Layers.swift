import CKernels

/// The layer operations of the network, on raw row-major buffers, one sample at a time for the
/// convolutions and a whole (sub-)batch for the dense layers; the gradient-check tests exercise
/// each one on small shapes. LeNet's workspace calls the dense and loss steps here; its
/// convolutions and pools run LeNet-shaped kernels (`fmnist_lenet_conv1_fwd`, `_conv2_fwd`,
/// `fmnist_lenet_pool1_fwd`, `_pool2_fwd`, the fused `fmnist_lenet_conv*_pool_bwd`), which the
/// kernel-path and fused tests check against the generic `conv*Forward` / `conv*Backward` /
/// `biasReluPool*` here.
enum Layers {
    // MARK: Convolution, channel-major ("CHW"), stride 1, input already padded.

    /// z[Cout][OH·OW] = W[Cout][C·kh·kw] · im2col(x); `col` receives the im2col matrix
    /// ([C·kh·kw][OH·OW]), which the weight gradient needs again.
    static func convCHWForward(
        _ gemm: GEMM, x: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
        kernel: Int, weights: UnsafePointer<Float>, outChannels: Int,
        col: UnsafeMutablePointer<Float>, z: UnsafeMutablePointer<Float>
    ) {
        let oh = height - kernel + 1, ow = width - kernel + 1
        let k = channels * kernel * kernel
        fmnist_im2col_chw(x, Int32(channels), Int32(height), Int32(width), Int32(kernel), Int32(kernel), col)
        gemm.gemm(outChannels, oh * ow, k, weights, rsa: k, csa: 1, col, ldb: oh * ow, z, ldc: oh * ow,
                  accumulate: false)
    }

    /// dW (+)= dz · colᵀ; if `dx` is given, dx = col2im(Wᵀ · dz) using `dcol` as scratch.
    static func convCHWBackward(
        _ gemm: GEMM, dz: UnsafePointer<Float>, col: UnsafePointer<Float>,
        channels: Int, height: Int, width: Int, kernel: Int,
        weights: UnsafePointer<Float>, outChannels: Int,
        dWeights: UnsafeMutablePointer<Float>, accumulate: Bool,
        dx: UnsafeMutablePointer<Float>? = nil, dcol: UnsafeMutablePointer<Float>? = nil
    ) {
        let p = (height - kernel + 1) * (width - kernel + 1)
        let k = channels * kernel * kernel
        gemm.gemmNT(outChannels, k, p, dz, lda: p, col, ldb: p, dWeights, ldc: k, accumulate: accumulate)
        if let dx, let dcol {
            // dcol[K][P] = Wᵀ[K][Cout] · dz[Cout][P]
            gemm.gemm(k, p, outChannels, weights, rsa: 1, csa: k, dz, ldb: p, dcol, ldc: p,
                      accumulate: false)
            fmnist_col2im_chw(dcol, Int32(channels), Int32(height), Int32(width), Int32(kernel),
                              Int32(kernel), dx)
        }
    }

    // MARK: Convolution, channel-last ("HWC"), stride 1, zero padding `pad`.

    /// z[OH·OW][Cout] = im2col(x)[OH·OW][kh·kw·C] · Wt[kh·kw·C][Cout].
    static func convHWCForward(
        _ gemm: GEMM, x: UnsafePointer<Float>, height: Int, width: Int, channels: Int,
        kernel: Int, pad: Int, weightsT: UnsafePointer<Float>, outChannels: Int,
        col: UnsafeMutablePointer<Float>, z: UnsafeMutablePointer<Float>
    ) {
        let oh = height + 2 * pad - kernel + 1, ow = width + 2 * pad - kernel + 1
        let k = kernel * kernel * channels
        fmnist_im2col_hwc(x, Int32(height), Int32(width), Int32(channels), Int32(kernel), Int32(kernel),
                          Int32(pad), col)
        gemm.gemm(oh * ow, outChannels, k, col, rsa: k, csa: 1, weightsT, ldb: outChannels, z,
                  ldc: outChannels, accumulate: false)
    }

    /// dWt (+)= colᵀ · dz; if `dx` is given, dx = col2im(dz · W) where `weights` is W[Cout][K]
    /// (the transpose of Wt), using `dcol` as scratch.
    static func convHWCBackward(
        _ gemm: GEMM, dz: UnsafePointer<Float>, col: UnsafePointer<Float>,
        height: Int, width: Int, channels: Int, kernel: Int, pad: Int,
        weights: UnsafePointer<Float>, outChannels: Int,
        dWeightsT: UnsafeMutablePointer<Float>, accumulate: Bool,
        dx: UnsafeMutablePointer<Float>? = nil, dcol: UnsafeMutablePointer<Float>? = nil
    ) {
        let p = (height + 2 * pad - kernel + 1) * (width + 2 * pad - kernel + 1)
        let k = kernel * kernel * channels
        gemm.gemm(k, outChannels, p, col, rsa: 1, csa: k, dz, ldb: outChannels, dWeightsT,
                  ldc: outChannels, accumulate: accumulate)
        if let dx, let dcol {
            gemm.gemm(p, k, outChannels, dz, rsa: outChannels, csa: 1, weights, ldb: k, dcol, ldc: k,
                      accumulate: false)
            fmnist_col2im_hwc(dcol, Int32(height), Int32(width), Int32(channels), Int32(kernel),
                              Int32(kernel), Int32(pad), dx)
        }
    }

    // MARK: Bias + ReLU + 2×2 max-pool (fused; output always HWC).

    static func biasReluPoolForward(
        z: UnsafePointer<Float>, hwc: Bool, channels: Int, height: Int, width: Int,
        bias: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<UInt8>
    ) {
        fmnist_bias_relu_maxpool2_fwd(z, hwc ? 1 : 0, Int32(channels), Int32(height), Int32(width), bias,
                                      out, argmax)
    }

    /// dz = routed dout (zero elsewhere); dBias += per-channel sums.
    static func biasReluPoolBackward(
        dout: UnsafePointer<Float>, out: UnsafePointer<Float>, argmax: UnsafePointer<UInt8>,
        hwc: Bool, channels: Int, height: Int, width: Int,
        dz: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?
    ) {
        fmnist_bias_relu_maxpool2_bwd(dout, out, argmax, hwc ? 1 : 0, Int32(channels), Int32(height),
                                      Int32(width), dz, dBias)
    }

    // MARK: Fused (sparse) backward of relu(maxpool(conv(x) + b)).

    /// Equivalent to `biasReluPoolBackward` followed by `convHWCBackward` (pad 0), but touching only
    /// the arg-max positions with positive output. `weights`/`dWeights` are `[Cout][kh·kw·C]`;
    /// dWeights and dBias are accumulated; `dx` (optional) is overwritten.
    static func convPoolBackwardHWC(
        _ gemm: GEMM, x: UnsafePointer<Float>, height: Int, width: Int, channels: Int, kernel: Int,
        weights: UnsafePointer<Float>, outChannels: Int, dout: UnsafePointer<Float>, out: UnsafePointer<Float>,
        argmax: UnsafePointer<UInt8>, dWeights: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>,
        dx: UnsafeMutablePointer<Float>?
    ) {
        fmnist_conv_pool_bwd_hwc(gemm.impl, x, Int32(height), Int32(width), Int32(channels), Int32(kernel),
                                 Int32(kernel), weights, Int32(outChannels), dout, out, argmax, dWeights, dBias, dx)
    }

    /// Equivalent to `biasReluPoolBackward` (channel-major) followed by the weight part of
    /// `convCHWBackward` on an already padded input; dWeights `[Cout][C·kh·kw]` and dBias accumulate.
    static func convPoolBackwardCHW(
        _ gemm: GEMM, x: UnsafePointer<Float>, channels: Int, height: Int, width: Int, kernel: Int,
        outChannels: Int, dout: UnsafePointer<Float>, out: UnsafePointer<Float>, argmax: UnsafePointer<UInt8>,
        dWeights: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>
    ) {
        fmnist_conv_pool_bwd_chw(gemm.impl, x, Int32(channels), Int32(height), Int32(width), Int32(kernel),
                                 Int32(kernel), Int32(outChannels), dout, out, argmax, dWeights, dBias)
    }

    // MARK: Dense layers on a batch: y[n][out] = act(x[n][in] · Wt[in][out] + b).

    static func denseForward(
        _ gemm: GEMM, x: UnsafePointer<Float>, rows: Int, inputs: Int, outputs: Int,
        weightsT: UnsafePointer<Float>, bias: UnsafePointer<Float>, relu: Bool,
        y: UnsafeMutablePointer<Float>
    ) {
        gemm.gemm(rows, outputs, inputs, x, rsa: inputs, csa: 1, weightsT, ldb: outputs, y, ldc: outputs,
                  accumulate: false)
        fmnist_bias_act_fwd(y, Int32(rows), Int32(outputs), bias, relu ? 1 : 0)
    }

    /// On entry `dy` holds dL/dy (post-activation); it is masked in place to dL/d(pre-activation).
    /// dWt (+)= xᵀ · dy, dBias += column sums, and dx = dy · Wtᵀ when `dx` is given.
    static func denseBackward(
        _ gemm: GEMM, dy: UnsafeMutablePointer<Float>, y: UnsafePointer<Float>, relu: Bool,
        x: UnsafePointer<Float>, rows: Int, inputs: Int, outputs: Int,
        weightsT: UnsafePointer<Float>, dWeightsT: UnsafeMutablePointer<Float>,
        dBias: UnsafeMutablePointer<Float>, accumulate: Bool, dx: UnsafeMutablePointer<Float>?
    ) {
        fmnist_bias_act_bwd(dy, y, Int32(rows), Int32(outputs), dBias, relu ? 1 : 0)
        gemm.gemm(inputs, outputs, rows, x, rsa: 1, csa: inputs, dy, ldb: outputs, dWeightsT,
                  ldc: outputs, accumulate: accumulate)
        if let dx {
            gemm.gemmNT(rows, inputs, outputs, dy, lda: outputs, weightsT, ldb: outputs, dx, ldc: inputs,
                        accumulate: false)
        }
    }

    // MARK: Softmax cross-entropy.

    /// Returns the summed loss over `rows`; writes (softmax − onehot)·scale into `grad` when given.
    static func softmaxCrossEntropy(
        logits: UnsafePointer<Float>, labels: UnsafePointer<UInt8>, rows: Int, classes: Int,
        scale: Float, grad: UnsafeMutablePointer<Float>?, correct: inout Int64,
        predicted: UnsafeMutablePointer<UInt8>? = nil
    ) -> Double {
        fmnist_softmax_xent(logits, labels, Int32(rows), Int32(classes), scale, grad, &correct, predicted)
    }
}
