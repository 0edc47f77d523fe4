import CKernels
import Testing
@testable import FMNISTTraining

/// End-to-end behaviour of `LeNetTrainer` on small synthetic data (fast in debug builds).
@Suite struct TrainingTrainerTests {
    static let train = TrainingFixtures.synthetic(count: 600, seed: 1)
    static let test = TrainingFixtures.synthetic(count: 200, seed: 2)

    @Test(arguments: [1, 2, 3])
    func deterministicForSeedAndThreads(threads: Int) throws {
        for optimizer in TrainingConfiguration.Optimizer.allCases {
            let config = TrainingConfiguration(
                epochs: 1, batchSize: 64, optimizer: optimizer, seed: 42, threads: threads, limit: 200)
            let first = try LeNetTrainer(configuration: config).train(train: Self.train, test: Self.test)
            let second = try LeNetTrainer(configuration: config).train(train: Self.train, test: Self.test)
            #expect(first.epochs[0].trainLoss.bitPattern == second.epochs[0].trainLoss.bitPattern)
            #expect(first.testLoss.bitPattern == second.testLoss.bitPattern)
            #expect(first.confusion == second.confusion)
            #expect(first.trainingImages == 200)
            let other = try LeNetTrainer(configuration: TrainingConfiguration(
                epochs: 1, batchSize: 64, optimizer: optimizer, seed: 43, threads: threads, limit: 200))
                .train(train: Self.train, test: Self.test)
            #expect(other.epochs[0].trainLoss != first.epochs[0].trainLoss, "the seed matters")
        }
    }

    /// The parallel epoch (chunks and optimiser slices claimed by whichever thread gets there first,
    /// the whole epoch one team job) leaves bit for bit the weights, loss and hits of a plain serial
    /// loop over the same chunks: each chunk's gradient, summed in chunk order by one SGD step over
    /// the whole vector.
    @Test(arguments: [2, 3])
    func parallelEpochMatchesSerialReference(threads: Int) throws {
        typealias L = LeNetLayout
        let n = 200, batch = 64, seed: UInt64 = 9
        let config = TrainingConfiguration(epochs: 1, batchSize: batch, seed: seed, threads: threads, limit: n)
        let session = TrainingSession(configuration: config, trainPixels: Self.train.pixels)
        let (loss, correct) = session.runEpoch(train: Self.train, count: n)

        var generator = SeededGenerator(seed: seed)
        let params = LeNetParameters(generator: &generator)
        var order = (0..<n).map { Int32($0) }
        order.withUnsafeMutableBufferPointer { generator.shuffle($0) }
        let lut = (0..<256).map { Float((Double($0) / 255 - session.mean) / session.std) }
        let chunkCount = session.chunkCount
        #expect(chunkCount > 1)
        let workspace = LeNetWorkspace(capacity: (batch + chunkCount - 1) / chunkCount, gemm: session.gemm)
        let gradients = (0..<chunkCount).map { _ in Tensor([L.storageCount]) }
        let velocity = Tensor([L.storageCount])
        var referenceLoss = 0.0, referenceCorrect = 0
        for begin in stride(from: 0, to: n, by: batch) {
            let size = min(batch, n - begin), chunks = min(chunkCount, size)
            for c in 0..<chunks {
                let lo = begin + size * c / chunks, hi = begin + size * (c + 1) / chunks
                let result = Self.train.pixels.withUnsafeBufferPointer { pixels in
                    Self.train.labels.withUnsafeBufferPointer { labels in
                        order.withUnsafeBufferPointer { indices in
                            lut.withUnsafeBufferPointer { lut in
                                workspace.run(
                                    parameters: params, pixels: pixels.baseAddress!, allLabels: labels.baseAddress!,
                                    indices: UnsafeBufferPointer(rebasing: indices[lo..<hi]), lut: lut.baseAddress!,
                                    gradients: gradients[c], gradientScale: 1 / Float(size))
                            }
                        }
                    }
                }
                referenceLoss += result.lossSum
                referenceCorrect += result.correct
            }
            let sources: [UnsafePointer<Float>?] = gradients.prefix(chunks).map { UnsafePointer($0.pointer) }
            sources.withUnsafeBufferPointer {
                fmnist_sgd_momentum(params.values.pointer, velocity.pointer, $0.baseAddress, Int32(chunks),
                                    L.storageCount, Float(config.learningRate), Float(config.momentum),
                                    begin == 0 ? 1 : 0)
            }
            params.refreshDerived()
        }
        #expect(loss.bitPattern == referenceLoss.bitPattern)
        #expect(correct == referenceCorrect)
        let mismatches = (0..<L.storageCount).filter {
            session.parameters.values[$0].bitPattern != params.values[$0].bitPattern
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) parameters differ, first at \(mismatches.first ?? -1)")
        let derived = (0..<params.w2Padded.count).filter {
            session.parameters.w2Padded[$0].bitPattern != params.w2Padded[$0].bitPattern
        }
        #expect(derived.isEmpty, "the derived conv2 layout was not refreshed after the last step")
    }

    /// The optimiser's slices cover the parameter vector once, in order, on 16-float boundaries,
    /// and slice 0 holds all of conv2's weights (its thread refreshes their derived layouts).
    @Test func optimizerSlicesCoverTheParametersOnce() {
        typealias L = LeNetLayout
        for threads in [1, 2, 3, 4, 7, 16, 64] {
            let bounds = TrainingSession.optimizerSlices(threads: threads)
            #expect(bounds.first == 0 && bounds.last == L.storageCount)
            #expect(zip(bounds, bounds.dropFirst()).allSatisfy { $0 < $1 }, "threads \(threads): \(bounds)")
            #expect(bounds.allSatisfy { $0 % 16 == 0 })
            #expect(bounds.count >= 2 && bounds[1] >= L.w2t.offset + L.w2t.count)
            #expect(bounds.count - 1 <= max(1, 2 * threads))
        }
        #expect(TrainingSession.optimizerSlices(threads: 2).count == 5, "2 threads: 4 equal slices")
    }

    @Test func portableKernelTrainsToo() throws {
        let config = TrainingConfiguration(epochs: 1, seed: 1, threads: 2, limit: 128, kernel: .portable)
        let report = try LeNetTrainer(configuration: config).train(train: Self.train, test: Self.test)
        #expect(report.kernel == "portable")
        #expect(report.epochs[0].trainLoss.isFinite)
    }

    @Test func learnsSyntheticClasses() throws {
        var epochs: [EpochReport] = []
        let config = TrainingConfiguration(epochs: 3, batchSize: 32, seed: 5, threads: 2, evaluateEachEpoch: true)
        let report = try LeNetTrainer(configuration: config).train(train: Self.train, test: Self.test) {
            epochs.append($0)
        }
        #expect(epochs == report.epochs)
        #expect(epochs.map(\.epoch) == [1, 2, 3])
        #expect(report.testAccuracy > 0.9, "test accuracy \(report.testAccuracy)")
        #expect(report.epochs[2].trainLoss < report.epochs[0].trainLoss)
        #expect(report.epochs[2].testAccuracy == report.testAccuracy)
        #expect(report.confusion.count == 10 && report.confusion.allSatisfy { $0.count == 10 })
        #expect(report.confusion.joined().reduce(0, +) == Self.test.count)
        #expect(report.confusion.indices.map { report.confusion[$0][$0] }.reduce(0, +)
                == Int((report.testAccuracy * Double(Self.test.count)).rounded()))
        #expect(report.trainImagesPerSecond > 0)
    }

    @Test func adamLearnsToo() throws {
        let config = TrainingConfiguration(epochs: 2, batchSize: 32, optimizer: .adam, seed: 5, threads: 2)
        #expect(config.learningRate == 0.001)
        let report = try LeNetTrainer(configuration: config).train(train: Self.train, test: Self.test)
        #expect(report.testAccuracy > 0.9, "test accuracy \(report.testAccuracy)")
    }

    @Test func shuffledLabelsStayNearChance() throws {
        let noisy = TrainingFixtures.synthetic(count: 600, seed: 1, shuffleLabels: true)
        let config = TrainingConfiguration(epochs: 3, batchSize: 32, seed: 5, threads: 2)
        let report = try LeNetTrainer(configuration: config).train(train: noisy, test: Self.test)
        #expect(report.testAccuracy < 0.25, "test accuracy \(report.testAccuracy)")
    }

    @Test func rejectsInvalidInput() throws {
        let trainer = LeNetTrainer()
        let small = LabeledImages(count: 1, rows: 27, columns: 28, pixels: [UInt8](repeating: 0, count: 756), labels: [0])
        #expect(throws: TrainingError.invalidImageSize(set: "training set", rows: 27, columns: 28)) {
            try trainer.train(train: small, test: Self.test)
        }
        let badLabel = LabeledImages(count: 2, rows: 28, columns: 28, pixels: [UInt8](repeating: 0, count: 1568),
                                     labels: [3, 10])
        #expect(throws: TrainingError.labelOutOfRange(set: "test set", index: 1, label: 10)) {
            try trainer.train(train: Self.train, test: badLabel)
        }
        let short = LabeledImages(count: 2, rows: 28, columns: 28, pixels: [UInt8](repeating: 0, count: 784),
                                  labels: [1, 2])
        #expect(throws: TrainingError.inconsistentCounts(set: "training set", count: 2, pixelBytes: 784, labels: 2)) {
            try trainer.train(train: short, test: Self.test)
        }
        let empty = LabeledImages(count: 0, rows: 28, columns: 28, pixels: [], labels: [])
        #expect(throws: TrainingError.emptyDataset(set: "test set")) {
            try trainer.train(train: Self.train, test: empty)
        }
        for config in [TrainingConfiguration(batchSize: 0), TrainingConfiguration(threads: 0),
                       TrainingConfiguration(learningRate: -1), TrainingConfiguration(momentum: 1),
                       TrainingConfiguration(limit: 0), TrainingConfiguration(epochs: -1)] {
            #expect(throws: TrainingError.self) {
                try LeNetTrainer(configuration: config).train(train: Self.train, test: Self.test)
            }
        }
        #expect(TrainingError.labelOutOfRange(set: "test set", index: 1, label: 10).description
                == "test set: label 10 at index 1 is not a class 0–9")
        #expect(TrainingError.invalidImageSize(set: "training set", rows: 27, columns: 28).description
                .contains("28×28"))
    }

    @Test func normalisationMatchesReferenceDefinition() {
        let (mean, std) = TrainingSession.meanAndStd([0, 255, 255, 0])
        #expect(abs(mean - 0.5) < 1e-12)
        #expect(abs(std - (1.0 / 3).squareRoot()) < 1e-12)  // unbiased, like torch.std
        #expect(TrainingModule.lenetParameterCount == 61_706)
    }
}
