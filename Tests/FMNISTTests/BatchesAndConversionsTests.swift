import FMNIST
import Foundation
import TestSupport
import Testing

@Suite struct BatchesAndConversionsTests {
    /// A 30-image toy split, loaded through the front door.
    static func toySplit() throws -> (ToyWorkspace, Dataset) {
        let toy = try ToyWorkspace("batches")
        return (toy, try toy.workspace.load("toyfashion"))
    }

    @Test func seededBatchesAreAReproducibleShuffleOfTheWholeSplit() throws {
        let (_, data) = try Self.toySplit()
        let batches = data.train.batches(size: 8, seed: 42)
        #expect(batches.count == 4)  // 8 + 8 + 8 + 6
        let all = batches.flatMap(\.indices)
        #expect(all.sorted() == Array(0..<30))
        #expect(all != Array(0..<30))
        #expect(data.train.batches(size: 8, seed: 42).flatMap(\.indices) == all)
        #expect(data.train.batches(size: 8, seed: 43).flatMap(\.indices) != all)
        #expect(data.train.batches(size: 8).flatMap(\.indices) == Array(0..<30))
        #expect(data.train.batches(size: 8, seed: 42, dropLast: true).map(\.count) == [8, 8, 8])
        for batch in batches {
            for (slot, index) in batch.indices.enumerated() {
                #expect(batch.images[slot * 784..<(slot + 1) * 784] == data.train.image(index))
                #expect(batch.labels[slot] == data.train.labels[index])
            }
        }
    }

    @Test func floatConversionsScaleNormaliseAndShape() throws {
        let (_, data) = try Self.toySplit()
        let unit = data.test.floats(.unit, layout: .nhwc)
        #expect(unit.shape == [10, 28, 28, 1])
        #expect(unit.values.count == data.test.images.count)
        for i in stride(from: 0, to: unit.values.count, by: 97) {
            #expect(unit.values[i] == Float(data.test.images[i]) / 255)
        }
        #expect(data.test.floats(layout: .nchw).shape == [10, 1, 28, 28])
        #expect(data.test.floats().shape == [10, 784])
        #expect(data.test.floats(.raw).values.prefix(50) == data.test.images.prefix(50).map(Float.init)[...])

        // A toy manifest has no statistics: they are computed from the training pixels.
        let stats = data.statistics
        #expect(stats == TrainingStatistics(pixels: data.train.images))
        let normalised = data.train.floats(data.normalization).values
        let mean = normalised.reduce(0.0) { $0 + Double($1) } / Double(normalised.count)
        let variance = normalised.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(normalised.count - 1)
        #expect(abs(mean) < 1e-4)
        #expect(abs(variance.squareRoot() - 1) < 1e-4)

        let batch = data.train.batches(size: 5, seed: 1).batch(1)
        let x = batch.floats(data.normalization, layout: .nhwc)
        #expect(x.shape == [5, 28, 28, 1])
        #expect(x.values[3] == (Float(batch.images[3]) / 255 - Float(stats.mean)) / Float(stats.std))
    }

    @Test func statisticsAreExact() {
        let stats = TrainingStatistics(pixels: [0, 255, 255, 0])
        #expect(stats.mean == 0.5)
        #expect(abs(stats.std - (1.0 / 3.0).squareRoot()) < 1e-15)
    }
}
