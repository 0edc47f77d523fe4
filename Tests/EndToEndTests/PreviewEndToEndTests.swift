import Foundation
import Testing

@Suite struct PreviewEndToEndTests {
    @Test(.realData) func previewOfCurrentWritesADecodablePNG() throws {
        let workspace = try TemporaryDirectory("preview")
        try FileManager.default.createSymbolicLink(at: workspace.path("mnist"), withDestinationURL: RealData.mnist)
        try FileManager.default.createSymbolicLink(atPath: workspace.path("current").path, withDestinationPath: "mnist")
        let out = workspace.path("sprite.png")
        let result = try FMNISTProcess.run(["preview", "current", "--root", workspace.url.path, "--out", out.path, "--per-class", "8", "--rows-per-class", "1", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        #expect(json["dataset"] as? String == "mnist")
        let bytes = [UInt8](try Data(contentsOf: out))
        // PNG signature and IHDR: width = 2 + 8 × 30, height = 2 + 10 × 30.
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let width = Int(bytes[16]) << 24 | Int(bytes[17]) << 16 | Int(bytes[18]) << 8 | Int(bytes[19])
        let height = Int(bytes[20]) << 24 | Int(bytes[21]) << 16 | Int(bytes[22]) << 8 | Int(bytes[23])
        #expect(width == 242 && height == 302)
        #expect(json["width"] as? Int == width && json["height"] as? Int == height)
        // An independent decoder (python's zlib) agrees on the size of the image data.
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", """
            import struct, sys, zlib
            b = open(sys.argv[1], 'rb').read(); o = 8; idat = b''
            while o < len(b):
                n, = struct.unpack('>I', b[o:o+4]); t = b[o+4:o+8]
                if t == b'IHDR': w, h = struct.unpack('>II', b[o+8:o+16])
                if t == b'IDAT': idat += b[o+8:o+8+n]
                o += 12 + n
            assert len(zlib.decompress(idat)) == (w + 1) * h
            """, out.path]
        try check.run()
        check.waitUntilExit()
        #expect(check.terminationStatus == 0)
    }

    @Test func previewWithoutAnActiveDatasetSaysWhatToDo() throws {
        let workspace = try TemporaryDirectory("preview-none")
        let result = try FMNISTProcess.run(["preview", "current", "--root", workspace.url.path, "--out", workspace.path("x.png").path])
        #expect(result.status == 4)
        // Nothing here: fetch first (switching would only say to fetch).
        #expect(result.stderr.contains("fmnist fetch fashion") && !result.stderr.contains("fmnist switch"), "\(result.stderr)")
        // A dataset here but none active: switch to it.
        try FileManager.default.createDirectory(at: workspace.path("mnist"), withIntermediateDirectories: true)
        let present = try FMNISTProcess.run(["preview", "current", "--root", workspace.url.path, "--out", workspace.path("x.png").path])
        #expect(present.status == 4)
        #expect(present.stderr.contains("fmnist switch mnist"), "\(present.stderr)")
    }
}
