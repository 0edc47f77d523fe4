import Foundation
import Testing

@testable import FMNISTCore

/// Issue 14's library decisions: typo suggestions, command-line slips, the sprite's rows and
/// legend, output-path problems, import near-misses, the damaged-file verdict.
@Suite struct RoughEdgesTests {
    @Test func editDistanceCountsATranspositionAsOneStep() {
        #expect(Suggestion.editDistance("fahsion", "fashion") == 1)
        #expect(Suggestion.editDistance("swich", "switch") == 1)
        #expect(Suggestion.editDistance("mnist", "mnist") == 0)
        #expect(Suggestion.editDistance("", "abc") == 3)
        #expect(Suggestion.editDistance("kitten", "sitting") == 3)
    }

    @Test func closestSuggestsOnlyNearWords() {
        #expect(Suggestion.closest(to: "fahsion", among: ["fashion", "mnist"]) == "fashion")
        #expect(Suggestion.closest(to: "mnsit", among: ["fashion", "mnist"]) == "mnist")
        #expect(Suggestion.closest(to: "zebra", among: ["fashion", "mnist"]) == nil)
        #expect(Suggestion.closest(to: "MNIST", among: ["mnist"]) == nil)  // the word itself is no suggestion
    }

    @Test func unknownDatasetSuggestsTheClosestName() throws {
        let registry = try ManifestRegistry.load(extraDirectories: [])
        do {
            _ = try registry.manifest(named: "fahsion")
            Issue.record("fahsion was accepted")
        } catch let error as UsageError {
            #expect(error.description == "unknown dataset \"fahsion\"")
            #expect(error.hint?.hasPrefix("did you mean \"fashion\"?") == true, "\(error.hint ?? "")")
        }
        do {
            _ = try registry.manifest(named: "cifar")
        } catch let error as UsageError {
            #expect(error.hint?.contains("did you mean") == false)
        }
    }

    @Test func commandLineSlips() {
        let commands = ["fetch", "verify", "switch", "status"]
        let datasets = ["fashion", "mnist"]
        #expect(CommandLineSlip.diagnose(arguments: ["swich", "fashion"], commands: commands, datasets: datasets)
                == .unknownCommand(typed: "swich", suggestion: "switch"))
        #expect(CommandLineSlip.diagnose(arguments: ["frobnicate"], commands: commands, datasets: datasets)
                == .unknownCommand(typed: "frobnicate", suggestion: nil))
        let several = CommandLineSlip.diagnose(arguments: ["fetch", "fashion", "mnist"], commands: commands, datasets: datasets)
        #expect(several == .severalDatasets(command: "fetch", datasets: ["fashion", "mnist"]))
        #expect(several?.hint(commands: commands).contains("fmnist fetch all") == true)
        #expect(CommandLineSlip.diagnose(arguments: ["fetch", "fashion", "--jobs", "x"], commands: commands, datasets: datasets) == nil)
        #expect(CommandLineSlip.diagnose(arguments: ["--help"], commands: commands, datasets: datasets) == nil)
    }

    @Test func spriteHasRowsPerClassBands() {
        // 2 classes, 1×1 images, 2 per row, 2 rows per class: image i = 100 + i, label i % 2.
        let labels: [UInt8] = (0..<8).map { UInt8($0 % 2) }
        let images = (0..<8).map { UInt8(100 + $0) }
        let sprite = SpriteRenderer(gap: 1).render(images: images, labels: labels, rows: 1, columns: 1, classes: 2, perClass: 2, rowsPerClass: 2)
        #expect(sprite.width == 1 + 2 * 2 && sprite.height == 1 + 2 * 2 * 2)
        func pixel(_ x: Int, _ y: Int) -> UInt8 { sprite.pixels[y * sprite.width + x] }
        // Class 0: images 0, 2 on its first row, 4, 6 on its second; class 1 below.
        #expect(pixel(1, 1) == 100 && pixel(3, 1) == 102 && pixel(1, 3) == 104 && pixel(3, 3) == 106)
        #expect(pixel(1, 5) == 101 && pixel(3, 7) == 107)
    }

    @Test func legendDrawsTheClassNamesLeftOfTheImages() {
        let labels: [UInt8] = [0, 1]
        let images = [UInt8](repeating: 0, count: 2 * 28 * 28)
        let renderer = SpriteRenderer()
        let plain = renderer.render(images: images, labels: labels, rows: 28, columns: 28, classes: 2, perClass: 1)
        let labelled = renderer.render(images: images, labels: labels, rows: 28, columns: 28, classes: 2, perClass: 1,
                                       legend: ["T-shirt/top", "Bag"])
        let legend = renderer.legendWidth(["T-shirt/top", "Bag"])
        #expect(legend == BitmapFont.width(of: "T-shirt/top") + 8)
        #expect(labelled.width == plain.width + legend && labelled.height == plain.height)
        // White text pixels in the legend column of each band, none in the plain sprite.
        let band = 28 + 2
        for cls in 0..<2 {
            let rows = (2 + cls * band)..<(2 + (cls + 1) * band - 2)
            let white = rows.contains { y in (0..<legend).contains { x in labelled.pixels[y * labelled.width + x] == 255 } }
            #expect(white, "no legend text in band \(cls)")
        }
        #expect(!plain.pixels.contains(255))
    }

    @Test func bitmapFontHasEveryLetterAndDigit() {
        for character in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/. " {
            let glyph = BitmapFont.glyphs[character]
            #expect(glyph?.count == 5 && glyph?.allSatisfy { $0.count == 3 } == true, "glyph \(character)")
        }
        #expect(BitmapFont.glyph("é") == BitmapFont.glyphs["?"])
        #expect(BitmapFont.glyph("a") == BitmapFont.glyphs["A"])
    }

    @Test func outputPathProblems() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fmnist-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(OutputPathProblem.check(folder) == .isDirectory(path: folder.path))
        let nested = folder.appendingPathComponent("nodir/x.png")
        #expect(OutputPathProblem.check(nested) == .missingFolder(path: nested.path, folder: folder.appendingPathComponent("nodir").path))
        let jpeg = folder.appendingPathComponent("x.jpg")
        #expect(OutputPathProblem.check(jpeg) == .notPNG(path: jpeg.path, suggested: "x.png"))
        #expect(OutputPathProblem.check(folder.appendingPathComponent("x.PNG")) == nil)
        for problem in [OutputPathProblem.isDirectory(path: "a"), .missingFolder(path: "a/b", folder: "a"), .notPNG(path: "x.jpg", suggested: "x.png")] {
            #expect(problem.exitStatus == .usage)
            #expect(problem.hint != nil)
        }
    }

    @Test func importRecognisesUncompressedFilesAndAParentFolder() throws {
        let registry = try ManifestRegistry.load(extraDirectories: [])
        let fashion = try registry.manifest(named: "fashion")
        let names = FileRole.allCases.map { fashion.defaultVersion.file($0).name }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("fmnist-near-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let raw = root.appendingPathComponent("raw")
        try FileManager.default.createDirectory(at: raw, withIntermediateDirectories: true)
        for name in names { _ = FileManager.default.createFile(atPath: raw.appendingPathComponent(String(name.dropLast(3))).path, contents: Data()) }
        let uncompressed = ImportNearMiss.find(in: raw, names: names, requested: fashion, manifests: registry.manifests)
        #expect(uncompressed == .uncompressed(names: names.map { String($0.dropLast(3)) }))
        let parent = root.appendingPathComponent("parent")
        for child in ["mnist", "fashion-mnist"] {
            let folder = parent.appendingPathComponent(child)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for name in names { _ = FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: Data()) }
        }
        let found = ImportNearMiss.find(in: parent, names: names, requested: fashion, manifests: registry.manifests)
        #expect(found == .parentFolder([(parent.appendingPathComponent("fashion-mnist").path, "fashion"),
                                        (parent.appendingPathComponent("mnist").path, "mnist")]))
        let error = ImportError(reason: .missing, directory: parent.path, dataset: fashion.title, problems: [], nearMiss: found)
        #expect(error.hint?.contains("fmnist import \(parent.appendingPathComponent("mnist").path) --as mnist") == true)
        #expect(error.exitStatus == .missing)
        let empty = root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect(ImportNearMiss.find(in: empty, names: names, requested: fashion, manifests: registry.manifests) == nil)
    }
}
