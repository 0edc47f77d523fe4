import Foundation
import Testing
import TestSupport

@testable import FMNISTCore

/// Structure-aware fuzzing of every bounded reader whose sizes and offsets come from a file: the
/// npz reader (zip end record, zip64 locator and end record, central and local headers with their
/// zip64 extra fields, `.npy` headers), the Kaggle CSV parser, the IDX parser and record splitter,
/// the gzip layer and the `fmnist.lock` reader. Every 1/2/4/8-byte field of valid inputs is set
/// to 0, 1, all ones, the signed edges, the zip64 marker, the file's size ±1 and its own value ±1;
/// every input is cut at every byte; and seeded random byte mutations follow. Each input must give
/// a value or the reader's typed fault, within the time limit, and never crash (a trap would kill
/// the test process). Deterministic (``FuzzSettings/seed``) and bounded: a few seconds in a debug build.
@Suite struct FuzzArchiveTests {
    static let limits = ZipLimits(maxEntrySize: 1 << 16)

    static func entries(_ method: SyntheticNPZ.Method, zip64: Bool) -> [SyntheticNPZ.Entry] {
        let pixels = (0..<48).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        return [
            SyntheticNPZ.Entry(name: "x_train.npy", bytes: SyntheticNPZ.npy(pixels, shape: [3, 4, 4]), method: method, zip64: zip64),
            SyntheticNPZ.Entry(name: "y_train.npy", bytes: SyntheticNPZ.npy([3, 1, 4], shape: [3], major: 2), method: method, zip64: zip64),
        ]
    }

    /// Valid archives: stored and deflated, with and without zip64 extra fields and end record.
    static let seeds: [(name: String, bytes: [UInt8])] = [
        ("stored", SyntheticNPZ.archive(entries(.stored, zip64: false))),
        ("deflated, zip64 extra fields", SyntheticNPZ.archive(entries(.deflate, zip64: true))),
        ("stored, zip64 extra fields and end record", SyntheticNPZ.archive(entries(.stored, zip64: true), zip64End: true)),
        ("deflated, zip64 end record", SyntheticNPZ.archive(entries(.deflate, zip64: false), zip64End: true)),
    ]

    /// Writes each input to one scratch file and reads it as an npz.
    final class Probe {
        let scratch: ScratchFolder
        let url: URL
        var outcomes: [String: Int] = [:]
        var slowest: Duration = .zero

        init() throws {
            scratch = try ScratchFolder("fuzz-npz")
            url = scratch.url.appendingPathComponent("input.npz")
        }

        /// The fault reading `bytes` gives (nil when it reads); records anything but a typed fault.
        @discardableResult
        func read(_ bytes: [UInt8], _ context: @autoclosure () -> String) -> NPZFault? {
            do {
                try Data(bytes).write(to: url)
            } catch {
                Issue.record("cannot write the input: \(error)")
                return nil
            }
            let (result, elapsed) = fuzzTimed { () -> Result<NPZContents, any Error> in
                Result { try NPZReader.read(url: url, limits: FuzzArchiveTests.limits) }
            }
            slowest = max(slowest, elapsed)
            #expect(elapsed < FuzzSettings.perInputTimeLimit, "slow input: \(context())")
            switch result {
            case .success(let contents):
                outcomes["ok", default: 0] += 1
                #expect(contents.size == Int64(bytes.count), "\(context())")
                for array in contents.arrays { #expect(array.dataSize <= FuzzArchiveTests.limits.maxEntrySize, "\(context())") }
                // The other entry point over the same directory: a value or a typed fault.
                do {
                    _ = try NPZReader.idxPayloads(contents.arrays.map(\.name), url: url, limits: FuzzArchiveTests.limits)
                } catch is NPZFault {
                } catch {
                    Issue.record("idxPayloads: untyped error \(type(of: error)): \(error) — \(context())")
                }
                return nil
            case .failure(let fault as NPZFault):
                outcomes[fault.code.rawValue, default: 0] += 1
                #expect(!fault.description.isEmpty)
                return fault
            case .failure(let error):
                Issue.record("untyped error \(type(of: error)): \(error) — \(context())")
                return nil
            }
        }

        var summary: String { outcomes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
    }

    @Test func theSeedsReadAndTheirFieldsAreFound() throws {
        let probe = try Probe()
        for seed in Self.seeds {
            #expect(probe.read(seed.bytes, seed.name) == nil, "the valid seed \(seed.name) does not read")
            let names = ZipFieldMap.fields(of: seed.bytes).map(\.name)
            #expect(names.contains("central[2].local offset") && names.contains("local[2].name length"), "\(seed.name): \(names)")
            if seed.name.contains("end record") { #expect(names.contains("zip64 end.directory offset")) }
            if seed.name.contains("extra") { #expect(names.contains("central[1].zip64 uncompressed")) }
        }
    }

    @Test func everyZipAndNPYFieldSetToHostileValuesIsReadOrATypedFault() throws {
        let probe = try Probe()
        var inputs = 0
        let clock = ContinuousClock()
        let start = clock.now
        for seed in Self.seeds {
            for field in ZipFieldMap.fields(of: seed.bytes) {
                for (value, bytes) in field.mutations(of: seed.bytes) {
                    inputs += 1
                    probe.read(bytes, "\(seed.name): \(field) = \(value)")
                }
            }
        }
        print("fuzz: \(inputs) npz inputs with one field set to a hostile value, \((clock.now - start).fuzzSeconds) s, slowest \(probe.slowest.fuzzSeconds) s; outcomes: \(probe.summary)")
        #expect(inputs > 1000)
    }

    @Test func everyCutOfEveryArchiveIsATypedFault() throws {
        let probe = try Probe()
        for seed in Self.seeds {
            for length in 0..<seed.bytes.count {
                let fault = probe.read(Array(seed.bytes.prefix(length)), "\(seed.name) cut to \(length) of \(seed.bytes.count) bytes")
                #expect(fault != nil, "\(seed.name) cut to \(length) bytes reads as an npz")
            }
            // A byte more or a byte less right before the end record: offsets are off by one.
            var longer = seed.bytes
            longer.insert(0, at: longer.count - 22)
            probe.read(longer, "\(seed.name) with a byte inserted before its end record")
            var shorter = seed.bytes
            shorter.remove(at: shorter.count - 23)
            #expect(probe.read(shorter, "\(seed.name) with a byte removed before its end record") != nil)
        }
        print("fuzz: npz cuts; outcomes: \(probe.summary)")
    }

    @Test func randomByteMutationsOfArchivesAreReadOrATypedFault() throws {
        let probe = try Probe()
        var rng = SeededRandom(seed: FuzzSettings.seed ^ 0x6E70_7A00)
        let iterations = max(1, FuzzSettings.iterations / 16)
        for iteration in 0..<iterations {
            let inputSeed = rng.next()
            var local = SeededRandom(seed: inputSeed)
            let seed = local.pick(Self.seeds)
            let bytes = ByteMutator.mutate(seed.bytes, donor: local.pick(Self.seeds).bytes, rng: &local)
            probe.read(bytes, "npz iteration \(iteration), input seed \(inputSeed) (from \(seed.name))")
        }
        print("fuzz: \(iterations) randomly mutated npz inputs, seed \(FuzzSettings.seed), slowest \(probe.slowest.fuzzSeconds) s; outcomes: \(probe.summary)")
    }

    /// The archive of issue 19: zip64 sizes and offsets of 2⁶⁴−1 (and the other edges of the
    /// signed range) are named in the fault, never added up.
    @Test func zip64OffsetsAndSizesAtTheEdgesAreNamedNotOverflowed() throws {
        let probe = try Probe()
        let base = SyntheticNPZ.archive(Self.entries(.stored, zip64: true), zip64End: true)
        let edges: [UInt64] = [.max, UInt64(Int64.max), UInt64(Int64.max) + 1, UInt64(Int64.max) - 55]
        for value in edges {
            let offset = try #require(probe.read(SyntheticNPZ.withZip64Fields(base, directoryOffset: value), "directory offset \(value)"))
            #expect(offset.description.contains("the zip64 central directory offset \(value) lies beyond the file's \(base.count) bytes"),
                    "\(offset)")
            let record = try #require(probe.read(SyntheticNPZ.withZip64Fields(base, recordOffset: value), "record offset \(value)"))
            #expect(record.description.contains("zip64 end record offset \(value)"), "\(record)")
            let size = try #require(probe.read(SyntheticNPZ.withZip64Fields(base, directorySize: value), "directory size \(value)"))
            #expect(size.description.contains("declares \(value) bytes"), "\(size)")
            let both = SyntheticNPZ.withZip64Fields(base, directorySize: value, directoryOffset: value, recordOffset: nil)
            #expect(probe.read(both, "size and offset \(value)") != nil)
        }
        // The zip64 extra fields of an entry: its local header offset and its compressed size.
        let fields = ZipFieldMap.fields(of: base)
        for name in ["central[1].zip64 local offset", "central[2].zip64 compressed", "central[1].zip64 uncompressed"] {
            let field = try #require(fields.first { $0.name == name })
            for value in edges {
                var bytes = base
                field.write(value, into: &bytes)
                let fault = try #require(probe.read(bytes, "\(name) = \(value)"), "\(name) = \(value) reads")
                #expect(fault.description.contains("\(value)"), "\(name) = \(value): \(fault)")
            }
        }
    }

    /// `.npy` shapes that overflow, or that no array can have, are typed faults.
    @Test func npyShapesAndHeadersAtTheEdgesAreTypedFaults() throws {
        let probe = try Probe()
        let shapes: [[Int]] = [
            [999_999_999_999_999_999, 999_999_999_999_999_999], [Int(Int32.max), Int(Int32.max), Int(Int32.max)], [4_294_967_296, 1],
            [0], [], [1, 0, 3], Array(repeating: 2, count: 33),
        ]
        for shape in shapes {
            for method in [SyntheticNPZ.Method.stored, .deflate] {
                let entry = SyntheticNPZ.Entry(name: "x.npy", bytes: SyntheticNPZ.npy([1, 2, 3], shape: shape), method: method, zip64: true)
                probe.read(SyntheticNPZ.archive([entry]), "shape \(shape), \(method)")
            }
        }
        let texts = [
            "{'descr': '|u1', 'fortran_order': False, 'shape': (-1,), }", "{'descr': '|u1', 'fortran_order': False, 'shape': (1e9,), }",
            "{'descr': '|u1', 'fortran_order': False, 'shape': (9999999999999999999,), }", "{'descr': '|u1'", "{}", "",
            "{'descr': '|u1', 'fortran_order': False, 'shape': ((((((((1,),),),),),),),), }",
        ]
        for text in texts {
            var npy: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
            npy += [UInt8(text.utf8.count & 0xFF), UInt8(text.utf8.count >> 8)] + Array(text.utf8) + [1, 2, 3]
            let fault = probe.read(SyntheticNPZ.archive([SyntheticNPZ.Entry(name: "x.npy", bytes: npy)]), "header \(text)")
            #expect(fault != nil, "header \(text) reads")
        }
    }
}

/// The Kaggle CSV parser under field-level mutations, cuts at every byte and random bytes: a
/// split or a ``CSVFault`` naming a line, the same whatever the chunking.
@Suite struct FuzzCSVTests {
    static let limits = CSVLimits(rows: 2, columns: 2, maxRows: 4, classCount: 10)
    static let header = "label,pixel1,pixel2,pixel3,pixel4"
    static let rows = [["3", "0", "255", "17", "4"], ["9", "1", "2", "3", "100"], ["0", "0", "0", "0", "0"]]

    static func text(_ rows: [[String]], newline: String = "\n") -> [UInt8] {
        Array((([header] + rows.map { $0.joined(separator: ",") }).joined(separator: newline) + newline).utf8)
    }

    static let hostileFields = [
        "", "256", "999", "1000", "-1", "0000", "1e3", "18446744073709551615", "9223372036854775808", " 1", "1 ", "\"1\"", "1,2",
        "\r", "\n", "\u{0}", "10", "255", "0x1", "١",
    ]

    /// Parses `bytes` in chunks of at most `chunk`: the split or the fault.
    static func parse(_ bytes: [UInt8], chunk: Int) -> Result<CSVSplit, CSVFault> {
        var parser = KaggleCSVParser(limits: limits)
        do throws(CSVFault) {
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + chunk)
                try parser.feed(Array(bytes[offset..<end]))
                offset = end
            }
            return .success(try parser.finish())
        } catch {
            return .failure(error)
        }
    }

    static func check(_ bytes: [UInt8], _ context: String, rng: inout SeededRandom) -> Bool {
        let (pair, elapsed) = fuzzTimed { (parse(bytes, chunk: rng.pick([1, 3, 64, 1 << 16])), parse(bytes, chunk: rng.pick([2, 7, 4096]))) }
        #expect(elapsed < FuzzSettings.perInputTimeLimit, "slow input: \(context)")
        switch pair {
        case (.success(let a), .success(let b)):
            #expect(a.imagesPayload == b.imagesPayload && a.labelsPayload == b.labelsPayload, "chunking changed the split: \(context)")
            #expect(a.count <= limits.maxRows && a.count >= 1, "\(context)")
            #expect(a.imagesPayload.count == 16 + a.count * limits.pixelsPerImage && a.labelsPayload.count == 8 + a.count, "\(context)")
            #expect(a.classHistogram.reduce(0, +) == a.count, "\(context)")
            return true
        case (.failure(let a), .failure(let b)):
            #expect(a == b, "chunking changed the fault (\(a) vs \(b)): \(context)")
            #expect(!a.problem.isEmpty)
            return false
        default:
            Issue.record("chunking changed the verdict: \(context)")
            return false
        }
    }

    @Test func everyFieldSetToHostileTextAndEveryCutIsASplitOrATypedFault() {
        var rng = SeededRandom(seed: FuzzSettings.seed ^ 0x6373_7600)
        var accepted = 0
        var inputs = 0
        for newline in ["\n", "\r\n"] {
            let valid = Self.text(Self.rows, newline: newline)
            #expect(Self.check(valid, "the valid CSV", rng: &rng))
            for row in Self.rows.indices {
                for column in Self.rows[row].indices {
                    for value in Self.hostileFields {
                        var rows = Self.rows
                        rows[row][column] = value
                        inputs += 1
                        if Self.check(Self.text(rows, newline: newline), "row \(row), column \(column) = \(value.debugDescription)", rng: &rng) {
                            accepted += 1
                        }
                    }
                }
            }
            // Rows: one column more or less, more rows than any split, an empty line, a line over the bound.
            let variants: [[UInt8]] = [
                Self.text(Self.rows.map { $0 + ["1"] }, newline: newline), Self.text(Self.rows.map { Array($0.dropLast()) }, newline: newline),
                Self.text(Self.rows + Self.rows, newline: newline), Self.text(Self.rows + [[]], newline: newline),
                Self.text([Self.rows[0] + Array(repeating: "1", count: 2000)], newline: newline), Self.text([], newline: newline),
            ]
            for (index, variant) in variants.enumerated() {
                inputs += 1
                if Self.check(variant, "row variant \(index)", rng: &rng) { accepted += 1 }
            }
            for length in 0..<valid.count {
                inputs += 1
                if Self.check(Array(valid.prefix(length)), "cut to \(length) bytes", rng: &rng) { accepted += 1 }
            }
        }
        print("fuzz: \(inputs) structured CSV inputs, \(accepted) accepted, 0 crashes")
        #expect(accepted > 0 && accepted < inputs)
    }

    @Test func randomByteMutationsOfCSVAreASplitOrATypedFault() {
        var rng = SeededRandom(seed: FuzzSettings.seed ^ 0x6373_7601)
        let seeds = [Self.text(Self.rows), Self.text(Self.rows, newline: "\r\n"), Self.text([Self.rows[1]])]
        let iterations = max(1, FuzzSettings.iterations / 8)
        for iteration in 0..<iterations {
            let inputSeed = rng.next()
            var local = SeededRandom(seed: inputSeed)
            let bytes = ByteMutator.mutate(local.pick(seeds), donor: local.pick(seeds), rng: &local)
            _ = Self.check(bytes, "CSV iteration \(iteration), input seed \(inputSeed)", rng: &local)
        }
    }
}

/// IDX headers and gzip containers under field-level mutations and cuts at every byte: the
/// one-pass verifier gives a measurement with a typed fault, the same whatever the chunking, and
/// the record splitter (`diff`'s) survives any header.
@Suite struct FuzzIDXAndGzipStructureTests {
    static let payloads: [(name: String, bytes: [UInt8])] = [
        ("images", SyntheticIDX.images(count: 3, rows: 4, columns: 5)), ("labels", SyntheticIDX.labels([1, 2, 3, 9, 0])),
    ]

    /// The IDX header's fields (big-endian): the magic as a whole and byte by byte, each dimension.
    static func idxFields(_ payload: [UInt8]) -> [FuzzField] {
        var fields = [FuzzField(offset: 0, width: 4, name: "magic", bigEndian: true)]
        fields += (0..<4).map { FuzzField(offset: $0, width: 1, name: "magic[\($0)]") }
        fields += (0..<Int(payload[3])).map { FuzzField(offset: 4 + 4 * $0, width: 4, name: "dims[\($0)]", bigEndian: true) }
        return fields
    }

    /// A gzip member with every optional header part (FEXTRA, FNAME, FCOMMENT, FHCRC) and its fields.
    static func fullHeaderGzip(_ payload: [UInt8]) -> (bytes: [UInt8], fields: [FuzzField]) {
        let plain = Deflater.compress(payload, format: .gzip)
        var header: [UInt8] = [0x1F, 0x8B, 8, 0x1E | 0x02, 1, 2, 3, 4, 0, 3]
        header += [6, 0] + [0x41, 0x42, 2, 0, 0x10, 0x20]  // XLEN 6: one subfield "AB" of 2 bytes
        header += Array("train-labels-idx1-ubyte".utf8) + [0] + Array("comment".utf8) + [0]
        let crc = SyntheticNPZ.crc32(header)
        let hcrc = header.count
        header += [UInt8(crc & 0xFF), UInt8((crc >> 8) & 0xFF)]
        let bytes = header + plain[10...]
        let fields = [
            FuzzField(offset: 3, width: 1, name: "FLG"), FuzzField(offset: 4, width: 4, name: "MTIME"), FuzzField(offset: 8, width: 1, name: "XFL"),
            FuzzField(offset: 9, width: 1, name: "OS"), FuzzField(offset: 10, width: 2, name: "XLEN"), FuzzField(offset: 14, width: 2, name: "subfield length"),
            FuzzField(offset: hcrc, width: 2, name: "header CRC16"), FuzzField(offset: bytes.count - 8, width: 4, name: "CRC32"),
            FuzzField(offset: bytes.count - 4, width: 4, name: "ISIZE"),
        ]
        return (bytes, fields)
    }

    /// Feeds a container to a fresh verifier in chunks of at most `chunk`.
    static func measure(_ input: [UInt8], limit: Int64, chunk: Int, compressed: Bool = true) -> FileMeasurement {
        let verifier = StreamingVerifier(payloadLimit: limit, compressed: compressed)
        var offset = 0
        while offset < input.count {
            let end = min(input.count, offset + chunk)
            do throws(IntegrityFault) { try verifier.feed(Array(input[offset..<end])) } catch { break }
            offset = end
        }
        return verifier.finish()
    }

    /// Both chunkings agree; a clean result is a self-consistent IDX file.
    static func check(_ input: [UInt8], compressed: Bool, _ context: String, limit: Int64? = nil, rng: inout SeededRandom) -> String {
        let limit: Int64 = limit ?? rng.pick([4096, 61, 60, 1])
        let ((a, b), elapsed) = fuzzTimed {
            (measure(input, limit: limit, chunk: rng.pick([1, 9, 4096]), compressed: compressed),
             measure(input, limit: limit, chunk: rng.pick([3, 1 << 16]), compressed: compressed))
        }
        #expect(elapsed < FuzzSettings.perInputTimeLimit, "slow input: \(context)")
        #expect(a.fault?.code.rawValue == b.fault?.code.rawValue, "chunking changed the verdict: \(context)")
        if a.fault == nil {
            #expect(a == b, "\(context)")
            #expect(a.payloadSize <= limit, "\(context)")
            let elements = a.idxDims.reduce(Int64(1)) { $0 * Int64($1) }
            #expect(Int64(4 + 4 * a.idxDims.count) + elements == a.payloadSize, "\(context)")
        }
        return a.fault?.code.rawValue ?? "ok"
    }

    /// The record splitter straight on a payload (no verifier before it): it must not trap.
    static func split(_ payload: [UInt8], rng: inout SeededRandom) {
        let splitter = RecordSplitter()
        var offset = 0
        while offset < payload.count {
            let end = min(payload.count, offset + rng.int(1..<64))
            payload[offset..<end].withUnsafeBytes { splitter.feed($0) }
            offset = end
        }
    }

    @Test func everyIDXHeaderFieldAndEveryCutIsMeasuredWithATypedFault() {
        var rng = SeededRandom(seed: FuzzSettings.seed ^ 0x6964_7800)
        var outcomes: [String: Int] = [:]
        for payload in Self.payloads {
            #expect(Self.check(payload.bytes, compressed: false, "the valid \(payload.name)", limit: 4096, rng: &rng) == "ok")
            #expect(Self.check(SyntheticIDX.gzip(payload.bytes), compressed: true, "the valid \(payload.name)", limit: 4096, rng: &rng) == "ok")
            var inputs: [(String, [UInt8])] = []
            for field in Self.idxFields(payload.bytes) {
                inputs += field.mutations(of: payload.bytes).map { ("\(payload.name): \(field) = \($0.value)", $0.bytes) }
            }
            inputs += (0..<payload.bytes.count).map { ("\(payload.name) cut to \($0) bytes", Array(payload.bytes.prefix($0))) }
            inputs.append(("\(payload.name) with a byte more", payload.bytes + [0]))
            for (context, bytes) in inputs {
                Self.split(bytes, rng: &rng)
                outcomes[Self.check(bytes, compressed: false, "uncompressed " + context, rng: &rng), default: 0] += 1
                outcomes[Self.check(SyntheticIDX.gzip(bytes), compressed: true, "gzip " + context, rng: &rng), default: 0] += 1
            }
        }
        print("fuzz: structured IDX headers; outcomes: \(outcomes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
    }

    @Test func everyGzipHeaderAndTrailerFieldAndEveryCutIsATypedFault() {
        var rng = SeededRandom(seed: FuzzSettings.seed ^ 0x677A_0000)
        var outcomes: [String: Int] = [:]
        for payload in Self.payloads {
            let (bytes, fields) = Self.fullHeaderGzip(payload.bytes)
            #expect(Self.check(bytes, compressed: true, "the full-header gzip of \(payload.name)", limit: 4096, rng: &rng) == "ok")
            var inputs: [(String, [UInt8])] = []
            for field in fields { inputs += field.mutations(of: bytes).map { ("\(payload.name): \(field) = \($0.value)", $0.bytes) } }
            for flags in 0..<256 {
                var copy = bytes
                copy[3] = UInt8(flags)
                inputs.append(("\(payload.name): FLG = \(flags)", copy))
            }
            inputs += (0..<bytes.count).map { ("\(payload.name) gzip cut to \($0) bytes", Array(bytes.prefix($0))) }
            inputs.append(("\(payload.name) gzip with trailing garbage", bytes + [0x1F]))
            inputs.append(("\(payload.name) two members", bytes + bytes))
            for (context, input) in inputs {
                let code = Self.check(input, compressed: true, context, rng: &rng)
                outcomes[code, default: 0] += 1
                if context.contains(" cut to ") { #expect(code != "ok", "a cut gzip verifies: \(context)") }
            }
        }
        print("fuzz: structured gzip containers; outcomes: \(outcomes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
    }
}

/// The `fmnist.lock` reader: structural mutations (hostile numbers, wrong types, deep nesting,
/// huge strings) and random bytes give a lock or a ``LockFileError`` naming the field (exit 2).
@Suite struct FuzzLockFileTests {
    @Test func lockReaderSurvivesMutatedLocks() throws {
        let registry = try ManifestRegistry.builtin()
        let pinned = try ["fashion", "mnist"].map { name -> PinnedVersion in
            let version = try registry.manifest(named: name).defaultVersion
            return PinnedVersion(
                dataset: name, versionId: version.identity.full, name: version.name, known: true, files: version.files,
                mirrors: ["http://127.0.0.1:9/\(name)/"])
        }
        let seeds = [try ProjectLock(datasets: pinned).text(), try ProjectLock(datasets: [pinned[0]]).text()].map { Data($0.utf8) }
        for seed in seeds { #expect(throws: Never.self) { try ProjectLock.parse(seed, path: "fmnist.lock", registry: registry) } }
        let iterations = max(1, FuzzSettings.iterations / 8)
        var rng = SeededRandom(seed: FuzzSettings.seed ^ 0x6C6F_636B)
        var accepted = 0
        var fields: [String: Int] = [:]
        for iteration in 0..<iterations {
            let inputSeed = rng.next()
            var local = SeededRandom(seed: inputSeed)
            let input = FuzzManifestTests.mutatedInput(seeds, rng: &local)
            let context = "lock iteration \(iteration), input seed \(inputSeed)"
            let (result, elapsed) = fuzzTimed { () -> Result<ProjectLock, any Error> in
                Result { try ProjectLock.parse(input, path: "fmnist.lock", registry: registry) }
            }
            #expect(elapsed < FuzzSettings.perInputTimeLimit, "slow input: \(context)")
            switch result {
            case .success(let lock):
                accepted += 1
                for version in lock.datasets {
                    #expect(version.files.map(\.role).sorted() == FileRole.allCases, "\(context)")
                    for file in version.files {
                        #expect((1...Int64(1 << 32)).contains(file.container.size) && file.payload.size == file.idx.payloadSize, "\(context)")
                    }
                }
            case .failure(let error as LockFileError):
                #expect(error.exitStatus == .usage && !error.problem.isEmpty, "\(context)")
                fields[error.field.split(separator: "[").first.map(String.init) ?? "", default: 0] += 1
            case .failure(let error):
                Issue.record("untyped error \(type(of: error)): \(error) — \(context)")
            }
        }
        print("fuzz: \(iterations) lock files, \(accepted) accepted, the rest refused with a LockFileError, 0 crashes; top fields: \(fields.sorted { $0.value > $1.value }.prefix(5).map { "\($0.key.isEmpty ? "(file)" : $0.key)=\($0.value)" }.joined(separator: " "))")
    }
}
