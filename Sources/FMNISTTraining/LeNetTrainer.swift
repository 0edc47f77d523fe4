import CKernels

/// Trains LeNet-5 (conv 6@5×5 pad 2 → ReLU → max-pool → conv 16@5×5 → ReLU → max-pool →
/// fc 120 → ReLU → fc 84 → ReLU → fc 10) on in-memory images and evaluates it on a test set.
///
/// The same architecture, initialisation scheme, normalisation and optimiser semantics as the
/// PyTorch reference. Each batch is split across `threads` workers with private gradient buffers
/// that are summed in a fixed order, so a run is reproducible bit for bit from its seed and thread
/// count. Performs no I/O.
public final class LeNetTrainer: Sendable {
    /// The settings every `train` call uses.
    public let configuration: TrainingConfiguration

    /// A trainer with the given settings (defaults: the PyTorch reference's).
    public init(configuration: TrainingConfiguration = TrainingConfiguration()) {
        self.configuration = configuration
    }

    /// Trains from a fresh initialisation and evaluates on `test`.
    /// - Parameter progress: called on the calling thread after every epoch.
    /// - Throws: `TrainingError` when the configuration or the data are invalid.
    public func train(
        train: LabeledImages, test: LabeledImages, progress: (EpochReport) -> Void = { _ in }
    ) throws -> TrainingReport {
        let config = configuration
        try config.validate()
        try train.validate(name: "training set")
        try test.validate(name: "test set")
        let start = ContinuousClock.now
        let session = TrainingSession(configuration: config, trainPixels: train.pixels)

        let n = min(config.limit ?? train.count, train.count)
        var epochs: [EpochReport] = []
        var trainSeconds = 0.0
        var evaluationSeconds = 0.0
        var lastEvaluation: Evaluation?
        for epoch in 0..<config.epochs {
            let epochStart = ContinuousClock.now
            let (lossSum, correct) = session.runEpoch(train: train, count: n)
            let seconds = (ContinuousClock.now - epochStart).seconds
            trainSeconds += seconds
            var testAccuracy: Double?
            var testLoss: Double?
            if config.evaluateEachEpoch {
                let evalStart = ContinuousClock.now
                let evaluation = session.evaluate(test)
                evaluationSeconds += (ContinuousClock.now - evalStart).seconds
                testAccuracy = evaluation.accuracy
                testLoss = evaluation.loss
                lastEvaluation = evaluation
            }
            let report = EpochReport(
                epoch: epoch + 1, trainLoss: lossSum / Double(n), trainAccuracy: Double(correct) / Double(n),
                imagesPerSecond: seconds > 0 ? Double(n) / seconds : 0, seconds: seconds,
                testAccuracy: testAccuracy, testLoss: testLoss)
            epochs.append(report)
            progress(report)
        }
        let evaluation: Evaluation
        if let lastEvaluation {
            evaluation = lastEvaluation
        } else {
            let evalStart = ContinuousClock.now
            evaluation = session.evaluate(test)
            evaluationSeconds += (ContinuousClock.now - evalStart).seconds
        }
        let totalImages = Double(n) * Double(config.epochs)
        return TrainingReport(
            epochs: epochs, testAccuracy: evaluation.accuracy, testLoss: evaluation.loss,
            confusion: evaluation.confusion,
            trainImagesPerSecond: trainSeconds > 0 ? totalImages / trainSeconds : 0,
            totalSeconds: (ContinuousClock.now - start).seconds, evaluationSeconds: evaluationSeconds,
            threads: config.threads, kernel: session.gemm.name, trainingImages: n, testImages: test.count,
            normalizationMean: session.mean, normalizationStd: session.std)
    }
}

extension LeNetTrainer {
    /// Trains from a fresh initialisation on `train` for `configuration.epochs` epochs (the first
    /// `configuration.limit` images) and returns the network, to predict other images with.
    /// Evaluates nothing; `progress` gets each epoch's training loss and accuracy (no test figures).
    ///
    /// ```swift
    /// let model = try LeNetTrainer(configuration: TrainingConfiguration(epochs: 2, seed: 7)).fit(train: folds)
    /// let p = model.probabilities(for: heldOut)   // heldOut.count × 10, each row sums to 1
    /// ```
    /// - Throws: `TrainingError` when the configuration or the data are invalid.
    public func fit(train: LabeledImages, progress: (EpochReport) -> Void = { _ in }) throws -> TrainedLeNet {
        let config = configuration
        try config.validate()
        try train.validate(name: "training set")
        let session = TrainingSession(configuration: config, trainPixels: train.pixels)
        let n = min(config.limit ?? train.count, train.count)
        for epoch in 0..<config.epochs {
            let epochStart = ContinuousClock.now
            let (lossSum, correct) = session.runEpoch(train: train, count: n)
            let seconds = (ContinuousClock.now - epochStart).seconds
            progress(EpochReport(
                epoch: epoch + 1, trainLoss: lossSum / Double(n), trainAccuracy: Double(correct) / Double(n),
                imagesPerSecond: seconds > 0 ? Double(n) / seconds : 0, seconds: seconds,
                testAccuracy: nil, testLoss: nil))
        }
        return TrainedLeNet(session: session)
    }
}

/// A LeNet-5 that ``LeNetTrainer/fit(train:progress:)`` trained: it predicts class
/// probabilities for any images of its size. Predictions use the trainer's thread count and are
/// reproducible bit for bit (the forward pass of each image does not depend on the others).
///
/// ```swift
/// let p = model.probabilities(for: images)
/// let firstImageBelief = p[0..<10]   // P(class 0…9 | image 0)
/// ```
public final class TrainedLeNet {
    let session: TrainingSession

    init(session: TrainingSession) {
        self.session = session
    }

    /// The softmax output for every image of `images`: `images.count × 10` values, image after
    /// image, each row summing to 1. The labels of `images` are not used.
    /// - Throws: `TrainingError` when the images are not valid LeNet-5 input.
    public func probabilities(for images: LabeledImages) throws -> [Float] {
        try images.validate(name: "images to predict")
        return session.probabilities(images)
    }
}

struct Evaluation {
    var accuracy: Double
    var loss: Double
    var confusion: [[Int]]
}

extension Duration {
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) * 1e-18
    }
}

/// The mutable state of one training run: parameters, optimiser state, workers.
///
/// Each batch is cut into `chunkCount` fixed, contiguous chunks (one per thread: at batch 64 two
/// chunks of 32 images make larger GEMMs and fewer hand-overs than four of 16, measured 1.86× against
/// 1.76× one thread), each with its own gradient buffer; worker threads claim chunks dynamically, so
/// a thread that is late to a batch finds its chunk taken by the other. The gradient is then reduced in chunk order, element by
/// element, by all threads on disjoint slices (`optimizerSlices`), each stepping the optimiser on
/// its slice: the result depends on the seed and the thread count only, never on which thread ran
/// what. A training epoch is a single job for the worker team (see `runEpoch`).
final class TrainingSession {
    typealias L = LeNetLayout
    let configuration: TrainingConfiguration
    let gemm: GEMM
    let parameters: LeNetParameters
    let workers: [LeNetWorkspace]
    let chunkCount: Int
    let chunkGradients: [Tensor]
    /// Bounds of the parameter slices the optimiser steps in parallel (`count − 1` slices, on
    /// 16-float boundaries); slice 0 holds all of conv2's weights.
    let optimizerSlices: [Int]
    private let team: WorkerTeam
    let mean: Double
    let std: Double
    private let lut = Tensor([256])
    private var generator: SeededGenerator
    private let velocity = Tensor([L.storageCount])
    private let adamM = Tensor([L.storageCount])
    private var step: Int64 = 0

    init(configuration: TrainingConfiguration, trainPixels: [UInt8]) {
        self.configuration = configuration
        gemm = GEMM(configuration.kernel)
        (mean, std) = Self.meanAndStd(trainPixels)
        for v in 0..<256 { lut[v] = Float((Double(v) / 255 - mean) / std) }
        generator = SeededGenerator(seed: configuration.seed)
        parameters = LeNetParameters(generator: &generator)
        let threads = configuration.threads
        chunkCount = min(configuration.batchSize, threads)
        let capacity = (configuration.batchSize + chunkCount - 1) / chunkCount
        let gemm = gemm
        workers = (0..<threads).map { _ in LeNetWorkspace(capacity: capacity, gemm: gemm) }
        chunkGradients = (0..<chunkCount).map { _ in Tensor([L.storageCount]) }
        optimizerSlices = Self.optimizerSlices(threads: threads)
        team = WorkerTeam(threads: threads)
    }

    /// Slice bounds for the optimiser: `2 × threads` equal parts of the parameter vector on 16-float
    /// boundaries (one for one thread), except that slice 0 reaches at least to the end of conv2's
    /// weights, so the thread that steps it can refresh their derived layouts alone.
    static func optimizerSlices(threads: Int) -> [Int] {
        let conv2End = (L.w2t.offset + L.w2t.count + 15) / 16 * 16
        let parts = threads == 1 ? 1 : 2 * threads
        var bounds = [0]
        for i in 1..<parts {
            let cut = max(L.storageCount * i / parts / 16 * 16, conv2End)
            if cut > bounds[bounds.count - 1] { bounds.append(cut) }
        }
        bounds.append(L.storageCount)
        return bounds
    }

    /// Mean and unbiased standard deviation of pixel/255 over all pixels (exact, via a histogram).
    static func meanAndStd(_ pixels: [UInt8]) -> (Double, Double) {
        var histogram = [UInt64](repeating: 0, count: 256)
        pixels.withUnsafeBufferPointer { buffer in
            histogram.withUnsafeMutableBufferPointer { h in
                fmnist_histogram_u8(buffer.baseAddress, buffer.count, h.baseAddress)
            }
        }
        var sum = 0.0, sumSquares = 0.0
        for (v, c) in histogram.enumerated() {
            let x = Double(v) / 255
            sum += x * Double(c)
            sumSquares += x * x * Double(c)
        }
        let count = Double(pixels.count)
        let mean = sum / count
        let variance = count > 1 ? max(0, (sumSquares - count * mean * mean) / (count - 1)) : 0
        let std = variance > 0 ? variance.squareRoot() : 1
        return (mean, std)
    }

    /// Runs `body(worker)` for every worker, on separate threads when there are several. Each call
    /// touches only its own worker and disjoint output ranges, and `run` returns after all of them.
    private func forEachWorker(_ body: (Int) -> Void) {
        team.run(body)
    }

    /// Calls `body(chunk, worker)` for every chunk in 0..<count, chunks claimed dynamically.
    private func forEachChunk(_ count: Int, _ body: (Int, LeNetWorkspace) -> Void) {
        var next: Int32 = 0
        withUnsafeMutablePointer(to: &next) { next in
            let workers = workers
            forEachWorker { t in
                while true {
                    let chunk = Int(fmnist_atomic_fetch_add(next, 1))
                    if chunk >= count { break }
                    body(chunk, workers[t])
                }
            }
        }
    }

    /// One shuffled pass over the first `count` training images; returns (loss sum, correct).
    ///
    /// The whole epoch is one team job, so there is no hand-over per batch. Every thread runs the
    /// same loop over the batches. In each batch it claims gradient chunks, its own first (thread
    /// `t` starts at chunk `t × chunks / threads`, so a chunk's buffers tend to stay in one core's
    /// cache), then any the others have not claimed, and waits until every chunk is done. Then it
    /// claims optimiser slices the same way: a slice sums the chunk gradients in chunk order and
    /// steps its part of the parameters; slice 0 also refreshes the derived conv2 layouts. A wait
    /// only covers pieces a running thread has claimed, so a worker that never starts leaves all
    /// the work to the caller. Per-chunk losses are summed in batch and chunk order afterwards, so
    /// nothing depends on which thread ran what.
    func runEpoch(train: LabeledImages, count n: Int) -> (Double, Int) {
        let batch = configuration.batchSize
        let threads = workers.count
        var order = [Int32](unsafeUninitializedCapacity: n) { buffer, initialized in
            for i in 0..<n { buffer[i] = Int32(i) }
            initialized = n
        }
        order.withUnsafeMutableBufferPointer { generator.shuffle($0) }
        let batches = (n + batch - 1) / batch
        let chunkCount = chunkCount
        let lr = Float(configuration.learningRate)
        let momentum = Float(configuration.momentum)
        let optimizer = configuration.optimizer
        let params = parameters
        let lut = UnsafePointer(lut.pointer)
        let velocity = velocity.pointer, adamM = adamM.pointer
        let bounds = optimizerSlices
        let slices = bounds.count - 1
        let workers = workers
        let chunkGradients = chunkGradients
        let firstStep = step
        // Per batch: chunks done, slices done, then a claim flag per chunk and per slice (0: free).
        let stride = 2 + chunkCount + slices
        let counters = UnsafeMutablePointer<Int32>.allocate(capacity: stride * batches)
        counters.initialize(repeating: 0, count: stride * batches)
        let chunkLoss = UnsafeMutablePointer<Double>.allocate(capacity: batches * chunkCount)
        let chunkCorrect = UnsafeMutablePointer<Int>.allocate(capacity: batches * chunkCount)
        let gradients = UnsafeMutablePointer<UnsafeMutablePointer<Float>>.allocate(capacity: chunkCount)
        for c in 0..<chunkCount { gradients[c] = chunkGradients[c].pointer }
        // Per thread: the chunk gradient pointers, offset to the slice it steps.
        let sliceGradients = UnsafeMutablePointer<UnsafePointer<Float>?>.allocate(capacity: threads * chunkCount)
        defer {
            counters.deallocate()
            chunkLoss.deallocate()
            chunkCorrect.deallocate()
            gradients.deallocate()
            sliceGradients.deallocate()
        }
        train.pixels.withUnsafeBufferPointer { pixelBuffer in
            train.labels.withUnsafeBufferPointer { labelBuffer in
                order.withUnsafeBufferPointer { orderBuffer in
                    let pixels = pixelBuffer.baseAddress!
                    let labels = labelBuffer.baseAddress!
                    forEachWorker { t in
                        let worker = workers[t]
                        let grads = sliceGradients + t * chunkCount
                        let firstSlice = t * slices / threads
                        for b in 0..<batches {
                            let begin = b * batch
                            let size = min(batch, n - begin)
                            let chunks = min(chunkCount, size)
                            let scale = 1 / Float(size)
                            let chunksDone = counters + stride * b, slicesDone = chunksDone + 1
                            let chunkClaims = chunksDone + 2, sliceClaims = chunkClaims + chunkCount
                            let firstChunk = t * chunks / threads
                            for k in 0..<chunks {
                                let c = (firstChunk + k) % chunks
                                if fmnist_atomic_fetch_add(chunkClaims + c, 1) != 0 { continue }
                                let lo = begin + size * c / chunks
                                let hi = begin + size * (c + 1) / chunks
                                let result = worker.run(
                                    parameters: params, pixels: pixels, allLabels: labels,
                                    indices: UnsafeBufferPointer(rebasing: orderBuffer[lo..<hi]), lut: lut,
                                    gradients: chunkGradients[c], gradientScale: scale)
                                chunkLoss[b * chunkCount + c] = result.lossSum
                                chunkCorrect[b * chunkCount + c] = result.correct
                                fmnist_work_done(chunksDone)
                            }
                            fmnist_wait_until(chunksDone, Int32(chunks))
                            let step = firstStep + Int64(b) + 1
                            for k in 0..<slices {
                                let s = (firstSlice + k) % slices
                                if fmnist_atomic_fetch_add(sliceClaims + s, 1) != 0 { continue }
                                let lo = bounds[s], hi = bounds[s + 1]
                                for c in 0..<chunks { grads[c] = UnsafePointer(gradients[c] + lo) }
                                switch optimizer {
                                case .sgd:
                                    fmnist_sgd_momentum(params.values.pointer + lo, velocity + lo, grads, Int32(chunks),
                                                        hi - lo, lr, momentum, step == 1 ? 1 : 0)
                                case .adam:
                                    fmnist_adam(params.values.pointer + lo, adamM + lo, velocity + lo, grads,
                                                Int32(chunks), hi - lo, lr, 0.9, 0.999, 1e-8, step)
                                }
                                if s == 0 { params.refreshDerived() }  // slice 0 holds all of conv2's weights
                                fmnist_work_done(slicesDone)
                            }
                            fmnist_wait_until(slicesDone, Int32(slices))
                        }
                    }
                }
            }
        }
        step += Int64(batches)
        var lossSum = 0.0
        var correct = 0
        for b in 0..<batches {
            for c in 0..<min(chunkCount, n - b * batch) {
                lossSum += chunkLoss[b * chunkCount + c]
                correct += chunkCorrect[b * chunkCount + c]
            }
        }
        return (lossSum, correct)
    }

    /// Accuracy, mean loss and confusion matrix of the current network on `test`.
    func evaluate(_ test: LabeledImages) -> Evaluation {
        let n = test.count
        var predictions = [UInt8](repeating: 0, count: n)
        let chunks = (n + workers[0].capacity - 1) / workers[0].capacity
        var lossSums = [Double](repeating: 0, count: chunks)
        var corrects = [Int](repeating: 0, count: chunks)
        predictions.withUnsafeMutableBufferPointer { predictionBuffer in
            lossSums.withUnsafeMutableBufferPointer { lossBuffer in
                corrects.withUnsafeMutableBufferPointer { correctBuffer in
                    let out = predictionBuffer.baseAddress!
                    let losses = lossBuffer.baseAddress!
                    let hits = correctBuffer.baseAddress!
                    forwardChunks(test) { c, lo, hi, worker, result in
                        losses[c] = result.lossSum
                        hits[c] = result.correct
                        (out + lo).update(from: worker.predicted.pointer, count: hi - lo)
                    }
                }
            }
        }
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: 10), count: 10)
        for i in 0..<n { confusion[Int(test.labels[i])][Int(predictions[i])] += 1 }
        let correct = corrects.reduce(0, +)
        let loss = lossSums.reduce(0, +)
        return Evaluation(accuracy: Double(correct) / Double(n), loss: loss / Double(n), confusion: confusion)
    }

    /// The softmax of the current network's logits for every image of `images`: `count × 10`
    /// values, image after image, each row summing to 1 (computed in double precision, `fmnist_softmax_rows`).
    func probabilities(_ images: LabeledImages) -> [Float] {
        let classes = L.classes
        var result = [Float](repeating: 0, count: images.count * classes)
        result.withUnsafeMutableBufferPointer { buffer in
            let out = buffer.baseAddress!
            forwardChunks(images) { _, lo, hi, worker, _ in
                fmnist_softmax_rows(worker.logits.pointer, Int32(hi - lo), Int32(classes), out + lo * classes)
            }
        }
        return result
    }

    /// Runs the forward pass over `set` in fixed chunks of a worker's capacity (claimed by the
    /// worker threads dynamically) and hands each chunk's (index, lo, hi, worker, loss/correct)
    /// to `body` while the worker still holds its outputs. Chunks write disjoint ranges.
    private func forwardChunks(
        _ set: LabeledImages, _ body: (Int, Int, Int, LeNetWorkspace, (lossSum: Double, correct: Int)) -> Void
    ) {
        let n = set.count
        let params = parameters
        let lut = UnsafePointer(lut.pointer)
        let chunkSize = workers[0].capacity
        let chunks = (n + chunkSize - 1) / chunkSize
        let indices = [Int32]((0..<Int32(n)).map { $0 })
        set.pixels.withUnsafeBufferPointer { pixelBuffer in
            set.labels.withUnsafeBufferPointer { labelBuffer in
                indices.withUnsafeBufferPointer { indexBuffer in
                    let pixels = pixelBuffer.baseAddress!
                    let labels = labelBuffer.baseAddress!
                    forEachChunk(chunks) { c, worker in
                        let lo = c * chunkSize, hi = min(n, lo + chunkSize)
                        let result = worker.run(
                            parameters: params, pixels: pixels, allLabels: labels,
                            indices: UnsafeBufferPointer(rebasing: indexBuffer[lo..<hi]),
                            lut: lut, gradients: nil, gradientScale: 0)
                        body(c, lo, hi, worker, result)
                    }
                }
            }
        }
    }
}
