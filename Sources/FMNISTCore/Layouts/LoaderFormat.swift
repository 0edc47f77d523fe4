/// One loader layout (a torchvision root, a keras cache, Kaggle CSVs, …): one type per layout, each
/// in its own file in `Layouts/`, listed once in ``LoaderFormats``. A layout's name and aliases are
/// here; what it does for each command is the facet it conforms to, declared in that command's
/// layer so that the machinery below asks the layout instead of switching over names:
/// ``ExportFormat`` (what `export` writes), ``ImportFormat`` (how `import` recognises and stages
/// it), ``VerifyFormat`` (what `verify PATH` reads there), ``DoctorFormat`` (which loader reads a
/// file `doctor` finds in its folders) and ``LinkFormat`` (the symlinks `switch --link PATH --layout` keeps).
///
/// ```swift
/// struct SeedFolderFormat: LoaderFormat, ImportFormat { … }   // its own file in Layouts/
/// // and one line in LoaderFormats.all: SeedFolderFormat(),
/// for format in LoaderFormats.all { print(format.name, format.aliases) }   // torchvision [] … csv ["kaggle"] …
/// ```
package protocol LoaderFormat: Sendable {
    /// The layout's name as the command line and `--json` spell it (`export`'s layout where it
    /// has one, else `import`'s: `gzip-folder`; one only `doctor` knows: its ``Loader``'s, `swift-models`).
    var name: String { get }
    /// Other names the command line accepts for it (`kaggle` for `csv`, `huggingface` for `hf`).
    var aliases: [String] { get }
}

extension LoaderFormat {
    package var aliases: [String] { [] }
}

// A layout's name in each command's result is its own name unless its facet says otherwise
// (TFDS: `export tfds`, but `import`'s `tfds-manual`; the folder of `.gz`: the `seed` link).
extension ExportFormat where Self: LoaderFormat {
    package var exportLayout: ExportLayout { ExportLayout(rawValue: name) }
}

extension ImportFormat where Self: LoaderFormat {
    package var importLayout: ImportLayout { ImportLayout(rawValue: name) }
}

extension LinkFormat where Self: LoaderFormat {
    package var linkLayout: LinkLayout { LinkLayout(rawValue: name) }
}
