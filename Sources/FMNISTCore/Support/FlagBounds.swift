/// The allowed range of a numeric command-line flag, and the check every command runs on it
/// before doing anything (negative, zero where meaningless, NaN, infinite and absurdly large
/// values are usage errors, exit 2, that name the flag, the value and the range).
///
/// ```swift
/// try FlagBounds.batch.check(64)            // fine
/// try FlagBounds.batch.check(10_000_000_000) // UsageError: "--batch 10000000000 is out of range: …"
/// ```
public struct FlagBounds<Value: Comparable & Sendable>: Sendable {
    /// The flag as typed, e.g. `--batch`.
    public let flag: String
    /// The smallest and largest value allowed.
    public let range: ClosedRange<Value>
    /// Whether `range.lowerBound` itself is refused (a learning rate must be more than 0).
    public let excludesLowerBound: Bool
    /// What the number counts, for messages ("seconds", "images").
    public let unit: String

    public init(_ flag: String, _ range: ClosedRange<Value>, excludingLowerBound: Bool = false, unit: String) {
        self.flag = flag
        self.range = range
        self.excludesLowerBound = excludingLowerBound
        self.unit = unit
    }

    /// The range in words, as `--help` and the README say it: "1–8192", "more than 0, at most 100".
    public var rangeText: String {
        let low = Self.text(range.lowerBound), high = Self.text(range.upperBound)
        return excludesLowerBound ? "more than \(low), at most \(high)" : "\(low)–\(high)"
    }

    /// A bound as a person writes it: 100, not 100.0.
    static func text(_ value: Value) -> String {
        if let number = value as? Double, number.isFinite, number == number.rounded(), abs(number) < 1e15 {
            return String(Int(number))
        }
        return "\(value)"
    }

    /// Whether `value` is allowed.
    public func allows(_ value: Value) -> Bool {
        range.contains(value) && !(excludesLowerBound && value == range.lowerBound)
    }

    /// Returns `value`, or throws a ``UsageError`` naming the flag, the value and the range.
    @discardableResult
    public func check(_ value: Value) throws -> Value {
        guard allows(value) else { throw refusal(value, "is out of range") }
        return value
    }

    /// Checks `value` when the flag was given.
    @discardableResult
    public func check(_ value: Value?) throws -> Value? {
        try value.map { try check($0) }
    }

    /// The usage error for a refused value: what is wrong with it, the range, what to pass instead.
    func refusal(_ value: Value, _ problem: String) -> UsageError {
        UsageError("\(flag) \(value) \(problem): it must be \(rangeText) (\(unit))",
                   hint: "pass \(flag) with a value \(rangeText), or leave it out for the default")
    }
}

extension FlagBounds where Value == Double {
    /// Returns `value`, or throws when it is NaN, infinite or out of range.
    @discardableResult
    public func check(_ value: Double) throws -> Double {
        guard value.isFinite else { throw refusal(value, "is not a finite number") }
        guard allows(value) else { throw refusal(value, "is out of range") }
        return value
    }

    /// Checks `value` when the flag was given.
    @discardableResult
    public func check(_ value: Double?) throws -> Double? {
        try value.map { try check($0) }
    }
}

// The ranges of every numeric flag of every command. The README's "Numeric flags" table and each
// flag's `--help` text are written from these.
extension FlagBounds where Value == Int {
    /// `fetch --jobs`: files downloaded at once.
    public static let jobs = FlagBounds("--jobs", 1...32, unit: "files at once")
    /// `smoke-train --epochs`: passes over the training set (0 would train nothing).
    public static let epochs = FlagBounds("--epochs", 1...1000, unit: "passes over the training set")
    /// `smoke-train --limit`: training images used (larger than the training set means all of it).
    public static let trainingLimit = FlagBounds("--limit", 1...10_000_000, unit: "training images")
    /// `smoke-train --batch`: images per optimiser step (activations of 8192 images take about 1 GB).
    public static let batch = FlagBounds("--batch", 1...8192, unit: "images per step")
    /// `smoke-train --threads`: worker threads.
    public static let threads = FlagBounds("--threads", 1...256, unit: "threads")
    /// `log --limit`: events shown.
    public static let logLimit = FlagBounds("--limit", 1...1_000_000, unit: "events")
    /// `preview --per-class`: images per class in the sprite.
    public static let perClass = FlagBounds("--per-class", 1...100, unit: "images per class")
    /// `preview --rows-per-class`: rows of images per class in the sprite.
    public static let rowsPerClass = FlagBounds("--rows-per-class", 1...10, unit: "rows per class")
    /// `audit --folds`: cross-validation folds of the training split.
    public static let folds = FlagBounds("--folds", 2...20, unit: "folds")
    /// `audit --epochs`: training epochs of each fold model.
    public static let auditEpochs = FlagBounds("--epochs", 1...50, unit: "epochs per fold model")
    /// `audit --top`: suspects listed per split.
    public static let top = FlagBounds("--top", 1...10_000, unit: "images per split")
    /// `audit --max-pairs`: near-duplicate pairs listed (the counts cover all).
    public static let maxPairs = FlagBounds("--max-pairs", 0...1_000_000, unit: "pairs")
}

extension FlagBounds where Value == Double {
    /// `fetch`, `import`, `switch --lock-timeout`: seconds to wait for another fmnist process
    /// (0: do not wait; at most a week; leave the flag out to wait for as long as it takes).
    public static let lockTimeout = FlagBounds("--lock-timeout", 0...604_800, unit: "seconds")
    /// `smoke-train --lr`: the learning rate. Large values are allowed so that a diverging run can
    /// be shown (and is reported as diverged); above 100 is no learning rate at all.
    public static let learningRate = FlagBounds("--lr", 0...100, excludingLowerBound: true, unit: "learning rate")
    /// `audit --near-threshold`: RMS grey-level distance of the 14 × 14 mean-pooled images.
    public static let nearThreshold = FlagBounds("--near-threshold", 0...64, unit: "grey levels, RMS")
}
