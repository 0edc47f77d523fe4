/// Why a ``Workspace`` call failed: what happened, where, and (in ``description``) what to do next.
///
/// ```swift
/// do {
///     let data = try workspace.load(.fashion)
/// } catch .wrongFile(let path, let expected, let found) {
///     print("\(path) should be \(expected) but is \(found)")
/// } catch {
///     print(error)   // says what to run next, e.g. `fmnist fetch fashion`
/// }
/// ```
public enum DatasetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No manifest names this dataset; `known` lists the names that work.
    case unknownDataset(String, known: [String])
    /// The workspace has no version of the dataset recorded in its live folder.
    case notFetched(dataset: String, root: String)
    /// A file of the live version is absent or cannot be read.
    case missingFile(path: String, expected: String, problem: String)
    /// A file holds other known data, e.g. `found` is "MNIST's t10k-labels" where `expected`
    /// is "Fashion-MNIST's t10k-labels".
    case wrongFile(path: String, expected: String, found: String)
    /// A file is corrupt or truncated, or valid IDX that is not the recorded version.
    case damaged(path: String, expected: String, problem: String)
    /// The images and labels of a split do not pair up (dimensions given).
    case mismatchedSplit(split: String, images: [Int], labels: [Int])
    /// A fetch, verify, switch or status call (or the catalog under it) failed.
    case operationFailed(operation: String, message: String, hint: String?)

    /// The file concerned, when there is one.
    public var path: String? {
        switch self {
        case .missingFile(let path, _, _), .wrongFile(let path, _, _), .damaged(let path, _, _): return path
        default: return nil
        }
    }

    public var description: String {
        let repair = "run `fmnist verify` to see every problem, then `fmnist fetch` to repair it"
        switch self {
        case .unknownDataset(let name, let known):
            return "unknown dataset \"\(name)\"; known: \(known.joined(separator: ", ")) (add a manifest to know more)"
        case .notFetched(let dataset, let root):
            return "no version of \(dataset) is recorded in the workspace \(root); "
                + "run `fmnist fetch \(dataset) --root \(root)` (or `fmnist import DIR --as \(dataset)`)"
        case .missingFile(let path, let expected, let problem):
            return "\(path) (\(expected)): \(problem); \(repair)"
        case .wrongFile(let path, let expected, let found):
            return "\(path) should be \(expected) but is \(found); \(repair)"
        case .damaged(let path, let expected, let problem):
            return "\(path) (\(expected)): \(problem); \(repair)"
        case .mismatchedSplit(let split, let images, let labels):
            return "the \(split) images \(images) and labels \(labels) do not pair up; \(repair)"
        case .operationFailed(let operation, let message, let hint):
            return "\(operation): \(message)" + (hint.map { "; \($0)" } ?? "")
        }
    }
}
