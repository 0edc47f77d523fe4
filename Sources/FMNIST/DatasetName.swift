/// The name of a dataset a ``Workspace`` knows: ``fashion``, ``mnist``, or one that an extra
/// manifest adds (a string literal works too). Names are case-insensitive and aliases such as
/// `"fashion-mnist"` resolve to their dataset when a workspace uses them.
///
/// ```swift
/// let fashion = try workspace.load(.fashion)
/// let kuzushiji = try workspace.load("kmnist")   // needs a kmnist manifest in `manifests:`
/// ```
public struct DatasetName: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The name as given, e.g. `"fashion"`.
    public let rawValue: String

    /// Creates a name, e.g. `DatasetName("mnist")`.
    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// Fashion-MNIST (Zalando): 70,000 28×28 greyscale images of clothing in 10 classes.
    public static let fashion = DatasetName("fashion")
    /// MNIST: 70,000 28×28 greyscale images of handwritten digits.
    public static let mnist = DatasetName("mnist")

    public var description: String { rawValue }
}
