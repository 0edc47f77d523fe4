/// The name of an on-disk layout `fmnist export` writes (each the one a loader reads), as
/// `export LAYOUT`, the `--json` result and the provenance file spell it. The set is open: each
/// layout's type in `Layouts/` names itself (its `name`) and declares its constant beside it, and
/// ``LoaderFormats`` is the one list of the layouts this build writes (it also parses a name and
/// its aliases: `ExportLayout(parsing: "kaggle")` is `.csv`). A name read from a file another
/// fmnist wrote may be one this build does not know; nothing looks it up without the list.
///
/// ```swift
/// ExportLayout.npz.rawValue                  // "npz"
/// try ExportLayout(parsing: "huggingface")   // .hf
/// ```
public struct ExportLayout: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}
