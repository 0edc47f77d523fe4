/// Hyper-parameters and execution settings of a LeNet-5 training run.
///
/// The defaults match the PyTorch reference (`lenet_reference.py`): one epoch, batch 64,
/// SGD with momentum 0.9 and learning rate 0.01, seed 0, two threads.
public struct TrainingConfiguration: Sendable, Equatable, Codable {
    /// The optimiser applied after every batch.
    public enum Optimizer: String, Sendable, Equatable, Codable, CaseIterable {
        /// SGD with (PyTorch-style, undampened) momentum.
        case sgd
        /// Adam with β = (0.9, 0.999), ε = 1e-8.
        case adam

        /// The learning rate used when none is given: 0.01 for SGD, 0.001 for Adam.
        public var defaultLearningRate: Double { self == .sgd ? 0.01 : 0.001 }
    }

    /// Which GEMM implementation to run.
    public enum Kernel: String, Sendable, Equatable, Codable, CaseIterable {
        /// What the `FMNIST_KERNELS` environment variable names (`portable`, `avx2`, `avx512`),
        /// else the best path the CPU supports: AVX-512, then AVX2/FMA, then portable.
        case automatic
        /// Always the portable C kernel.
        case portable
        /// The AVX2/FMA kernels when the CPU supports them, else the portable ones.
        case avx2
        /// The AVX-512 GEMM (with the AVX2 fused kernels) when the CPU supports it, else as `avx2`.
        case avx512
    }

    /// Passes over the training images (0 evaluates the initial network only).
    public var epochs: Int
    /// Images per optimiser step; the last batch of an epoch may be smaller.
    public var batchSize: Int
    /// Step size of the optimiser.
    public var learningRate: Double
    /// SGD momentum (ignored by Adam).
    public var momentum: Double
    /// The optimiser.
    public var optimizer: Optimizer
    /// Seed of the generator that initialises the weights and shuffles every epoch.
    public var seed: UInt64
    /// Worker threads; each batch is split into this many contiguous parts. Results are
    /// bit-for-bit reproducible for a given seed and thread count.
    public var threads: Int
    /// Train on the first `limit` training images only (`nil`: all). Normalisation still uses
    /// the mean and standard deviation of the whole training set, as the reference does.
    public var limit: Int?
    /// Also evaluate the test set after every epoch (reported in `EpochReport.testAccuracy`).
    public var evaluateEachEpoch: Bool
    /// GEMM implementation.
    public var kernel: Kernel

    /// Creates a configuration; `learningRate: nil` picks the optimiser's default.
    public init(
        epochs: Int = 1, batchSize: Int = 64, learningRate: Double? = nil, momentum: Double = 0.9,
        optimizer: Optimizer = .sgd, seed: UInt64 = 0, threads: Int = 2, limit: Int? = nil,
        evaluateEachEpoch: Bool = false, kernel: Kernel = .automatic
    ) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate ?? optimizer.defaultLearningRate
        self.momentum = momentum
        self.optimizer = optimizer
        self.seed = seed
        self.threads = threads
        self.limit = limit
        self.evaluateEachEpoch = evaluateEachEpoch
        self.kernel = kernel
    }

    /// Throws `TrainingError.invalidConfiguration` when a setting is out of range.
    public func validate() throws {
        func fail(_ message: String) throws -> Never { throw TrainingError.invalidConfiguration(message) }
        if epochs < 0 { try fail("epochs must be ≥ 0, got \(epochs)") }
        if batchSize < 1 { try fail("batch size must be ≥ 1, got \(batchSize)") }
        if threads < 1 || threads > 256 { try fail("threads must be between 1 and 256, got \(threads)") }
        if !(learningRate.isFinite && learningRate > 0) { try fail("learning rate must be > 0, got \(learningRate)") }
        if !(momentum.isFinite && momentum >= 0 && momentum < 1) {
            try fail("momentum must be in [0, 1), got \(momentum)")
        }
        if let limit, limit < 1 { try fail("limit must be ≥ 1, got \(limit)") }
    }
}
