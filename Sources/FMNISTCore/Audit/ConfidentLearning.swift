/// Confident learning (Northcutt, Jiang and Chuang 2021, "Confident Learning: Estimating
/// Uncertainty in Dataset Labels", JAIR, arXiv 1911.00068) over the out-of-sample predicted
/// class probabilities of one split.
///
/// - The per-class threshold `t_j` is the mean self-confidence of the images labelled `j`
///   (the mean of `p̂(j | x)` over `x` with given label `j`).
/// - The confident joint `C[i][j]` counts the images labelled `i` whose probability of `j` is at
///   least `t_j` (when several classes pass, the most probable of them); an image with no class
///   above its threshold is not counted.
/// - Calibrated to the label counts (row `i` rescaled to sum to `n_i`), the joint gives the
///   estimated noise rate of class `i`: the share of the images labelled `i` whose true class is
///   another, `1 − C̃[i][i] / n_i`.
/// - An image is a *confident issue* when it lands off the diagonal of `C`; every image is ranked
///   by its self-confidence `p̂(given label | x)`, lowest (most suspicious) first.
///
/// ```swift
/// let cl = ConfidentLearning(probabilities: p, labels: labels, classes: 10)
/// let worst = cl.ranking().prefix(20)          // indices, most suspicious first
/// let suggested = cl.suggested[worst.first!]   // the class the models prefer
/// ```
public struct ConfidentLearning: Sendable {
    /// Number of classes.
    public let classes: Int
    /// `t_j` for every class (`nil` for a class no image is labelled with: nothing counts as it).
    public let thresholds: [Double?]
    /// `C[given][estimated true]`, raw counts.
    public let confidentJoint: [[Int]]
    /// Per class: estimated share of its images whose true class is another (0 when unknown).
    public let noiseRates: [Double]
    /// Per image: `p̂(given label | x)`.
    public let selfConfidence: [Double]
    /// Per image: the most probable class (first maximum).
    public let suggested: [Int]
    /// Per image: whether the confident joint puts it off the diagonal.
    public let isConfidentIssue: [Bool]
    /// Per class: how many images carry that label.
    public let labelCounts: [Int]

    /// Runs confident learning; `probabilities` holds `labels.count × classes` values, image after image.
    public init(probabilities: [Float], labels: [UInt8], classes: Int) {
        precondition(probabilities.count == labels.count * classes, "one row of probabilities per label")
        self.classes = classes
        let n = labels.count
        var counts = [Int](repeating: 0, count: classes)
        var sums = [Double](repeating: 0, count: classes)
        var selfConfidence = [Double](repeating: 0, count: n)
        var suggested = [Int](repeating: 0, count: n)
        for i in 0..<n {
            let row = i * classes
            let given = Int(labels[i])
            var best = 0
            for k in 1..<classes where probabilities[row + k] > probabilities[row + best] { best = k }
            suggested[i] = best
            guard given < classes else { continue }
            let p = Double(probabilities[row + given])
            selfConfidence[i] = p
            counts[given] += 1
            sums[given] += p
        }
        let thresholds = (0..<classes).map { counts[$0] > 0 ? sums[$0] / Double(counts[$0]) : nil }
        var joint = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        var issue = [Bool](repeating: false, count: n)
        for i in 0..<n {
            let given = Int(labels[i])
            guard given < classes else { continue }
            let row = i * classes
            var chosen: Int?
            for k in 0..<classes {
                guard let t = thresholds[k], Double(probabilities[row + k]) >= t else { continue }
                if let c = chosen, probabilities[row + c] >= probabilities[row + k] { continue }
                chosen = k
            }
            guard let estimated = chosen else { continue }
            joint[given][estimated] += 1
            issue[i] = estimated != given
        }
        noiseRates = (0..<classes).map { i in
            let rowSum = joint[i].reduce(0, +)
            guard rowSum > 0, counts[i] > 0 else { return 0 }
            // Calibrated: C̃[i][i] = C[i][i] / rowSum × n_i, so 1 − C̃[i][i] / n_i = 1 − C[i][i] / rowSum.
            return 1 - Double(joint[i][i]) / Double(rowSum)
        }
        self.thresholds = thresholds
        confidentJoint = joint
        self.selfConfidence = selfConfidence
        self.suggested = suggested
        isConfidentIssue = issue
        labelCounts = counts
    }

    /// Every image index, most suspicious first: ascending self-confidence, ties by index.
    public func ranking() -> [Int] {
        selfConfidence.indices.sorted { a, b in
            selfConfidence[a] != selfConfidence[b] ? selfConfidence[a] < selfConfidence[b] : a < b
        }
    }

    /// How many images the confident joint puts off the diagonal.
    public var confidentIssueCount: Int { isConfidentIssue.reduce(0) { $0 + ($1 ? 1 : 0) } }
}
