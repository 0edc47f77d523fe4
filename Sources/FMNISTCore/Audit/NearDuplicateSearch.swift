import FMNISTTraining

/// Which split an image is in.
public enum AuditSplit: String, Sendable, Codable, CaseIterable, Comparable {
    case train
    case test

    public static func < (a: AuditSplit, b: AuditSplit) -> Bool { a == .train && b == .test }
}

/// One image of a version: its split and 0-based index in file order.
public struct ImageReference: Sendable, Codable, Hashable, Comparable {
    public let split: AuditSplit
    public let index: Int

    public init(split: AuditSplit, index: Int) {
        self.split = split
        self.index = index
    }

    public static func < (a: ImageReference, b: ImageReference) -> Bool {
        a.split != b.split ? a.split < b.split : a.index < b.index
    }
}

/// Finds every pair of images (within the training split, within the test split, and test
/// against training) closer than a threshold, without comparing all 70,000 × 70,000 pairs.
///
/// **Distance.** Each 28 × 28 image is mean-pooled to 14 × 14 (2 × 2 blocks), and the distance
/// of two images is the root-mean-square difference of those 196 values, in grey levels (0–255):
/// `d = ‖a − b‖₂ / 14`. Pooling forgives one-pixel jitter and re-compression noise; RMS keeps
/// the threshold readable ("on average within 6 grey levels"). Identical images have `d = 0`;
/// pairs whose 784 original bytes are equal are flagged `exact`.
///
/// **Search (exact for the threshold, no pair is missed).** The pooled vectors are projected on
/// their top principal directions (power iteration on the covariance of at most 8,192 evenly
/// spaced images; any orthonormal directions would do, these make the bound tight). An
/// orthonormal projection never lengthens a vector, so `|Δ first coordinate| ≤ ‖Δ projection‖ ≤
/// ‖a − b‖`: images are sorted by their first coordinate, each is compared only with those after
/// it within `τ = threshold × 14` on that coordinate, a candidate is dropped as soon as the
/// partial distance over the projected coordinates exceeds `τ`, and only the survivors get the
/// full 196-value distance. Memory: the pooled images (784 B each) and projections (32 B each).
///
/// ```swift
/// let outcome = NearDuplicateSearch(threshold: 6).run(train: trainImages, test: testImages)
/// outcome.pairs.first   // the closest pair, e.g. test 1234 ~ train 5678 at 0.0 (exact)
/// ```
public struct NearDuplicateSearch: Sendable {
    /// The pooled image side (28 / 2).
    public static let pooledSide = 14
    static let pooledSize = pooledSide * pooledSide
    /// Principal directions used for pruning.
    static let directions = 8
    /// Images the covariance is estimated from (evenly spaced; all when fewer).
    static let covarianceSample = 8192

    /// Pairs closer than this RMS grey-level distance are near-duplicates.
    public let threshold: Double
    /// At most this many pairs are kept (the closest); the counts cover all of them.
    public let maxPairs: Int
    /// Worker threads.
    public let threads: Int

    public init(threshold: Double, maxPairs: Int = 10_000, threads: Int = 2) {
        self.threshold = threshold
        self.maxPairs = maxPairs
        self.threads = max(1, threads)
    }

    /// What kind of pair: both training images, both test images, or a test image and a training image.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case trainTrain = "train-train"
        case testTest = "test-test"
        case testTrain = "test-train"
    }

    /// Two images within the threshold. For a test–train pair `a` is the test image; within a
    /// split `a` has the lower index.
    public struct Pair: Sendable, Equatable {
        public let a: ImageReference
        public let b: ImageReference
        public let distance: Double
        public let exact: Bool
        public var kind: Kind {
            a.split == b.split ? (a.split == .train ? .trainTrain : .testTest) : .testTrain
        }
    }

    /// The pairs found, closest first, and how much work the search did.
    public struct Outcome: Sendable {
        /// At most `maxPairs` pairs, by distance, then kind, then indices.
        public let pairs: [Pair]
        /// All pairs within the threshold, by kind (not capped).
        public let counts: [Kind: Int]
        /// All exact pairs (equal bytes), by kind (not capped).
        public let exactCounts: [Kind: Int]
        /// All pairs whose labels differ, by kind (not capped; empty without labels).
        public let differentLabelCounts: [Kind: Int]
        /// Candidates within `τ` on the first coordinate (what a sort-only search would compare).
        public let candidates: Int
        /// Full 196-value distances computed after pruning.
        public let fullDistances: Int
    }

    /// Searches `train` and `test` (28 × 28 images, 784 bytes each, back to back); with their
    /// labels, pairs with different labels are counted too.
    public func run(train: [UInt8], test: [UInt8], trainLabels: [UInt8] = [], testLabels: [UInt8] = []) -> Outcome {
        let imageSize = 784
        let trainCount = train.count / imageSize, testCount = test.count / imageSize
        let n = trainCount + testCount
        let dims = Self.pooledSize
        var pooled = [Float](repeating: 0, count: n * dims)
        pooled.withUnsafeMutableBufferPointer { out in
            Self.pool(train, count: trainCount, into: out.baseAddress!)
            Self.pool(test, count: testCount, into: out.baseAddress! + trainCount * dims)
        }
        let basis = Self.principalDirections(pooled, count: n, dims: dims, directions: Self.directions)
        let p = Self.directions
        var projections = [Float](repeating: 0, count: n * p)
        for i in 0..<n {
            for k in 0..<p {
                var dot: Float = 0
                for d in 0..<dims { dot += pooled[i * dims + d] * basis.vectors[k * dims + d] }
                projections[i * p + k] = dot
            }
        }
        let order = (0..<n).sorted { a, b in
            projections[a * p] != projections[b * p] ? projections[a * p] < projections[b * p] : a < b
        }
        // Sorted copies, so the scan reads memory in order.
        var sortedProjections = [Float](repeating: 0, count: n * p)
        for (position, index) in order.enumerated() {
            for k in 0..<p { sortedProjections[position * p + k] = projections[index * p + k] }
        }
        let tau = Float(threshold) * Float(Self.pooledSide)
        // Float rounding in the projections: prune only beyond a margin.
        let bound = tau * (1 + 1e-4) + 1e-3
        let blocks = max(1, min(n, 256))
        let maxPairs = maxPairs
        let frozen = (pooled: pooled, order: order, projections: sortedProjections, train: train, test: test,
                      trainLabels: trainLabels, testLabels: testLabels)
        let results = Array(0..<blocks).parallelMap(threads: threads) { block -> BlockResult in
            var result = BlockResult()
            let lo = n * block / blocks, hi = n * (block + 1) / blocks
            frozen.projections.withUnsafeBufferPointer { proj in
                frozen.pooled.withUnsafeBufferPointer { vectors in
                    for i in lo..<hi {
                        let pi = proj.baseAddress! + i * p
                        var j = i + 1
                        while j < n {
                            let pj = proj.baseAddress! + j * p
                            if pj[0] - pi[0] > bound { break }
                            j += 1
                            result.candidates += 1
                            var partial: Float = 0
                            var pruned = false
                            for k in 0..<p {
                                let delta = pj[k] - pi[k]
                                partial += delta * delta
                                if partial > bound * bound { pruned = true; break }
                            }
                            if pruned { continue }
                            result.fullDistances += 1
                            let x = frozen.order[i], y = frozen.order[j - 1]
                            var sum: Float = 0
                            let va = vectors.baseAddress! + x * dims, vb = vectors.baseAddress! + y * dims
                            for d in 0..<dims {
                                let delta = va[d] - vb[d]
                                sum += delta * delta
                            }
                            guard sum <= tau * tau else { continue }
                            var a = Self.reference(x, trainCount: trainCount), b = Self.reference(y, trainCount: trainCount)
                            if a.split == b.split ? b < a : a.split == .train { swap(&a, &b) }
                            let exact = sum == 0 && Self.bytes(of: a, frozen.train, frozen.test) == Self.bytes(of: b, frozen.train, frozen.test)
                            let pair = Pair(a: a, b: b, distance: Double(sum.squareRoot()) / Double(Self.pooledSide), exact: exact)
                            result.counts[pair.kind, default: 0] += 1
                            if exact { result.exactCounts[pair.kind, default: 0] += 1 }
                            if let la = Self.label(of: a, frozen.trainLabels, frozen.testLabels),
                               let lb = Self.label(of: b, frozen.trainLabels, frozen.testLabels), la != lb {
                                result.differentLabelCounts[pair.kind, default: 0] += 1
                            }
                            result.found.append(pair)
                            if result.found.count >= 2 * maxPairs { result.trim(maxPairs) }
                        }
                    }
                }
            }
            return result
        }
        var counts = Dictionary(uniqueKeysWithValues: Kind.allCases.map { ($0, 0) })
        var exactCounts = counts
        var differentLabelCounts = counts
        var pairs: [Pair] = []
        for result in results {
            for (kind, count) in result.counts { counts[kind, default: 0] += count }
            for (kind, count) in result.exactCounts { exactCounts[kind, default: 0] += count }
            for (kind, count) in result.differentLabelCounts { differentLabelCounts[kind, default: 0] += count }
            pairs += result.found
        }
        pairs.sort(by: Self.closerFirst)
        if pairs.count > maxPairs { pairs.removeLast(pairs.count - maxPairs) }
        return Outcome(
            pairs: pairs, counts: counts, exactCounts: exactCounts, differentLabelCounts: differentLabelCounts,
            candidates: results.reduce(0) { $0 + $1.candidates }, fullDistances: results.reduce(0) { $0 + $1.fullDistances })
    }

    /// Position `i` of the pooled set (training images first) as a (split, index).
    static func reference(_ i: Int, trainCount: Int) -> ImageReference {
        i < trainCount ? ImageReference(split: .train, index: i) : ImageReference(split: .test, index: i - trainCount)
    }

    /// The label of one image, when labels were given.
    static func label(of image: ImageReference, _ train: [UInt8], _ test: [UInt8]) -> UInt8? {
        let labels = image.split == .train ? train : test
        return image.index < labels.count ? labels[image.index] : nil
    }

    /// The 784 bytes of one image.
    static func bytes(of image: ImageReference, _ train: [UInt8], _ test: [UInt8]) -> ArraySlice<UInt8> {
        (image.split == .train ? train : test)[(image.index * 784)..<((image.index + 1) * 784)]
    }

    static func closerFirst(_ x: Pair, _ y: Pair) -> Bool {
        if x.distance != y.distance { return x.distance < y.distance }
        let kinds = Kind.allCases
        if x.kind != y.kind { return kinds.firstIndex(of: x.kind)! < kinds.firstIndex(of: y.kind)! }
        return x.a != y.a ? x.a < y.a : x.b < y.b
    }

    /// One block's share of the scan.
    struct BlockResult: Sendable {
        var candidates = 0
        var fullDistances = 0
        /// The closest pairs found so far (at most `2 × maxPairs`).
        var found: [Pair] = []
        var counts: [Kind: Int] = [:]
        var exactCounts: [Kind: Int] = [:]
        var differentLabelCounts: [Kind: Int] = [:]

        mutating func trim(_ keep: Int) {
            found.sort(by: NearDuplicateSearch.closerFirst)
            found.removeLast(found.count - keep)
        }
    }

    /// Mean-pools `count` 28 × 28 images to 14 × 14 floats (grey levels).
    static func pool(_ images: [UInt8], count: Int, into out: UnsafeMutablePointer<Float>) {
        images.withUnsafeBufferPointer { buffer in
            let source = buffer.baseAddress!
            for i in 0..<count {
                let image = source + i * 784
                let target = out + i * pooledSize
                for r in 0..<pooledSide {
                    for c in 0..<pooledSide {
                        let top = image + (2 * r) * 28 + 2 * c, bottom = top + 28
                        let sum = Int(top[0]) + Int(top[1]) + Int(bottom[0]) + Int(bottom[1])
                        target[r * pooledSide + c] = Float(sum) * 0.25
                    }
                }
            }
        }
    }

    /// Orthonormal top principal directions of the pooled vectors (row-major, `directions × dims`).
    static func principalDirections(_ vectors: [Float], count: Int, dims: Int, directions: Int) -> (vectors: [Float], mean: [Double]) {
        var mean = [Double](repeating: 0, count: dims)
        let stride = max(1, count / covarianceSample)
        let sample = Swift.stride(from: 0, to: count, by: stride).map { $0 }
        for i in sample { for d in 0..<dims { mean[d] += Double(vectors[i * dims + d]) } }
        for d in 0..<dims { mean[d] /= Double(max(1, sample.count)) }
        var covariance = [Double](repeating: 0, count: dims * dims)
        var centred = [Double](repeating: 0, count: dims)
        for i in sample {
            for d in 0..<dims { centred[d] = Double(vectors[i * dims + d]) - mean[d] }
            for r in 0..<dims {
                let x = centred[r]
                if x == 0 { continue }
                for c in r..<dims { covariance[r * dims + c] += x * centred[c] }
            }
        }
        for r in 0..<dims { for c in 0..<r { covariance[r * dims + c] = covariance[c * dims + r] } }
        var basis: [[Double]] = []
        var generator = SeededGenerator(seed: 0x0D0B_1E5E_A4C8)
        for _ in 0..<directions {
            var v = (0..<dims).map { _ in Double(generator.nextIndex(below: 1 << 20)) / Double(1 << 20) - 0.5 }
            for _ in 0..<60 {
                var w = [Double](repeating: 0, count: dims)
                for r in 0..<dims {
                    var sum = 0.0
                    for c in 0..<dims { sum += covariance[r * dims + c] * v[c] }
                    w[r] = sum
                }
                v = orthonormalized(w, against: basis) ?? orthonormalized(v, against: basis) ?? v
            }
            if let unit = orthonormalized(v, against: basis) { basis.append(unit) }
        }
        // A degenerate set (constant images) still needs directions: complete with unit axes.
        var axis = 0
        while basis.count < directions && axis < dims {
            var e = [Double](repeating: 0, count: dims)
            e[axis] = 1
            if let unit = orthonormalized(e, against: basis) { basis.append(unit) }
            axis += 1
        }
        return (basis.flatMap { $0.map { Float($0) } }, mean)
    }

    /// `v` minus its components along `basis` (twice, for rounding), scaled to length 1; nil when nothing is left.
    static func orthonormalized(_ v: [Double], against basis: [[Double]]) -> [Double]? {
        var u = v
        for _ in 0..<2 {
            for b in basis {
                var dot = 0.0
                for d in 0..<u.count { dot += u[d] * b[d] }
                for d in 0..<u.count { u[d] -= dot * b[d] }
            }
        }
        let norm = u.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 1e-9 else { return nil }
        return u.map { $0 / norm }
    }
}
