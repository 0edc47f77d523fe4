import Foundation
import Testing

/// `FMNIST_DATA_DIR` takes the shared layout or a workspace root, and a set variable that holds
/// neither fails loudly here (the real-data tests are then reported as skipped, and `.ci/run` fails).
@Suite struct RealDataLayoutTests {
    @Test(.enabled(if: RealData.setting != nil, "FMNIST_DATA_DIR is not set: no layout to check"))
    func theDataDirectoryHoldsAKnownLayout() {
        #expect(RealData.problem == nil, "\(RealData.problem ?? "")")
        #expect(RealData.available)
    }

    func makeFolder(_ root: URL, _ folder: String, files: [String] = RealData.names) throws {
        let url = root.appendingPathComponent(folder)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for name in files { try Data([0x1f, 0x8b]).write(to: url.appendingPathComponent(name)) }
    }

    @Test func theSharedLayoutIsRecognisedWithOrWithoutTheOldLabels() throws {
        let base = try TemporaryDirectory("layout")
        try makeFolder(base.url, "fashion-mnist")
        try makeFolder(base.url, "mnist")
        let plain = try RealData.locate(base.url.path).get()
        #expect(plain.layout == .shared && plain.oldFashionLabels == nil)
        #expect(plain.fashion.lastPathComponent == "fashion-mnist" && plain.mnist.lastPathComponent == "mnist")
        try makeFolder(base.url, "fashion-mnist-2017-08-26", files: ["train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz"])
        #expect(try RealData.locate(base.url.path).get().oldFashionLabels?.lastPathComponent == "fashion-mnist-2017-08-26")
    }

    @Test func aWorkspaceRootIsRecognisedAlsoWhenItsFoldersAreSymlinks() throws {
        let base = try TemporaryDirectory("layout")
        try makeFolder(base.url, "data/fashion")
        try makeFolder(base.url, "versions/mnist-v1")
        try FileManager.default.createSymbolicLink(
            at: base.path("data/mnist"), withDestinationURL: base.path("versions/mnist-v1"))
        let located = try RealData.locate(base.path("data").path).get()
        #expect(located.layout == .workspace && located.oldFashionLabels == nil)
        #expect(located.mnist.lastPathComponent == "mnist-v1")
        #expect(located.fashion.lastPathComponent == "fashion")
    }

    @Test func anythingElseIsRefusedWithTheLayoutsNamed() throws {
        let base = try TemporaryDirectory("layout")
        var cases: [URL] = [base.path("missing"), base.path("empty")]
        try FileManager.default.createDirectory(at: base.path("empty"), withIntermediateDirectories: true)
        try makeFolder(base.url, "only-fashion/fashion-mnist")
        cases.append(base.path("only-fashion"))
        try makeFolder(base.url, "three-files/fashion", files: Array(RealData.names.dropLast()))
        try makeFolder(base.url, "three-files/mnist")
        cases.append(base.path("three-files"))
        // A folder where a file should be is not a file.
        try makeFolder(base.url, "folder-as-file/fashion", files: Array(RealData.names.dropLast()))
        try FileManager.default.createDirectory(at: base.path("folder-as-file/fashion/\(RealData.names.last!)"), withIntermediateDirectories: true)
        try makeFolder(base.url, "folder-as-file/mnist")
        cases.append(base.path("folder-as-file"))
        for path in cases {
            switch RealData.locate(path.path) {
            case .success(let located): Issue.record("\(path.lastPathComponent) was taken as \(located.layout)")
            case .failure(let problem):
                #expect(problem.message.contains("FMNIST_DATA_DIR=\(path.path) holds neither layout"))
                #expect(problem.message.contains("the shared layout (fashion-mnist/ and mnist/"))
                #expect(problem.message.contains("a workspace root (fashion/ and mnist/"))
            }
        }
    }
}
