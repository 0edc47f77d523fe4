// fmnist-train-bench: drives FMNISTTraining on IDX files for scripts/bench-train.sh.
// Usage: fmnist-train-bench --data DIR [--epochs N] [--threads N] [--seed N] [--batch N]
//        [--limit N] [--optimizer sgd|adam] [--lr X] [--portable] [--eval-each] [--json FILE]
// Prints one JSON line per epoch and a final JSON summary line (like lenet_reference.py).
import CZlib
import FMNISTTraining

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func fail(_ message: String) -> Never {
    let text = "fmnist-train-bench: \(message)\n"
    _ = text.withCString { write(2, $0, strlen($0)) }
    exit(2)
}

/// Whole file, inflated when it is gzip (automatic header detection), else as is.
func readMaybeGzip(_ path: String) -> [UInt8] {
    guard let f = fopen(path, "rb") else { fail("cannot open \(path)") }
    defer { fclose(f) }
    var raw: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let got = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
        if got == 0 { break }
        raw.append(contentsOf: chunk[0..<got])
    }
    guard raw.count >= 2, raw[0] == 0x1f, raw[1] == 0x8b else { return raw }
    var out: [UInt8] = []
    out.reserveCapacity(raw.count * 4)
    var stream = z_stream()
    guard fmnist_inflateInit2(&stream, 15 + 32) == Z_OK else { fail("inflateInit failed") }
    defer { inflateEnd(&stream) }
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    raw.withUnsafeMutableBufferPointer { input in
        stream.next_in = input.baseAddress
        stream.avail_in = uInt(input.count)
        while true {
            let status = buffer.withUnsafeMutableBufferPointer { b -> Int32 in
                stream.next_out = b.baseAddress
                stream.avail_out = uInt(b.count)
                return inflate(&stream, Z_NO_FLUSH)
            }
            let produced = buffer.count - Int(stream.avail_out)
            out.append(contentsOf: buffer[0..<produced])
            if status == Z_STREAM_END { break }
            if status != Z_OK { fail("\(path): inflate error \(status)") }
        }
    }
    return out
}

/// (dimensions, payload) of an unsigned-byte IDX file.
func readIDX(_ path: String) -> ([Int], [UInt8]) {
    var bytes = readMaybeGzip(path)
    guard bytes.count >= 4, bytes[0] == 0, bytes[1] == 0, bytes[2] == 0x08 else {
        fail("\(path): not an unsigned-byte IDX file")
    }
    let ndim = Int(bytes[3])
    var dims: [Int] = []
    for d in 0..<ndim {
        let o = 4 + 4 * d
        dims.append(Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]))
    }
    let header = 4 + 4 * ndim
    bytes.removeFirst(header)  // in place: no second copy of a 47 MB payload
    guard bytes.count == dims.reduce(1, *) else { fail("\(path): size mismatch") }
    return (dims, bytes)
}

func findFile(_ dir: String, _ stem: String) -> String {
    for candidate in ["\(dir)/\(stem)", "\(dir)/\(stem).gz"] where access(candidate, R_OK) == 0 {
        return candidate
    }
    fail("no \(stem)[.gz] in \(dir)")
}

func loadSplit(_ dir: String, _ prefix: String) -> LabeledImages {
    let (dims, pixels) = readIDX(findFile(dir, "\(prefix)-images-idx3-ubyte"))
    let (_, labels) = readIDX(findFile(dir, "\(prefix)-labels-idx1-ubyte"))
    guard dims.count == 3 else { fail("\(prefix) images: expected 3 dimensions") }
    return LabeledImages(count: dims[0], rows: dims[1], columns: dims[2], pixels: pixels, labels: labels)
}

/// (wall seconds, machine-wide busy CPU seconds, this process's CPU seconds), like the reference's
/// cpu_snapshot(): the difference tells how much other load shared the machine.
func cpuSnapshot() -> (Double, Double, Double) {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    let wall = Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    var busy = 0.0
    if let f = fopen("/proc/stat", "r") {
        var line = [CChar](repeating: 0, count: 512)
        if fgets(&line, Int32(line.count), f) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let fields = text.split(separator: " ").dropFirst().compactMap { Double($0) }
            if fields.count >= 8 {
                busy = (fields[0..<8].reduce(0, +) - fields[3] - fields[4]) / Double(sysconf(Int32(_SC_CLK_TCK)))
            }
        }
        fclose(f)
    }
    var usage = rusage()
    #if canImport(Glibc)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    let own = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) * 1e-6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) * 1e-6
    return (wall, busy, own)
}

func json(_ pairs: [(String, String)]) -> String {
    "{" + pairs.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
}

var dataDir = "../shared/data/fashion-mnist"
var config = TrainingConfiguration()
var jsonPath: String?
var learningRate: Double?
var args = Array(CommandLine.arguments.dropFirst())
while !args.isEmpty {
    let flag = args.removeFirst()
    func value() -> String {
        guard !args.isEmpty else { fail("\(flag) needs a value") }
        return args.removeFirst()
    }
    func int() -> Int {
        guard let v = Int(value()) else { fail("\(flag) needs an integer") }
        return v
    }
    switch flag {
    case "--data": dataDir = value()
    case "--epochs": config.epochs = int()
    case "--threads": config.threads = int()
    case "--seed": config.seed = UInt64(int())
    case "--batch": config.batchSize = int()
    case "--limit": config.limit = int()
    case "--lr": learningRate = Double(value())
    case "--optimizer":
        guard let o = TrainingConfiguration.Optimizer(rawValue: value()) else { fail("unknown optimizer") }
        config.optimizer = o
        config.learningRate = o.defaultLearningRate
    case "--portable": config.kernel = .portable
    case "--eval-each": config.evaluateEachEpoch = true
    case "--json": jsonPath = value()
    default: fail("unknown argument \(flag)")
    }
}
if let learningRate { config.learningRate = learningRate }

let train = loadSplit(dataDir, "train")
let test = loadSplit(dataDir, "t10k")
let trainer = LeNetTrainer(configuration: config)
var snapshot = cpuSnapshot()
do {
    let report = try trainer.train(train: train, test: test) { e in
        // The snapshot spans the epoch (and its evaluation, if any): an approximation of the
        // reference's per-epoch figures, good enough to flag a busy machine.
        let now = cpuSnapshot()
        let wall = max(now.0 - snapshot.0, 1e-9)
        let own = (now.2 - snapshot.2) / wall
        let other = max(0, (now.1 - snapshot.1) - (now.2 - snapshot.2)) / wall
        snapshot = now
        var fields: [(String, String)] = [
            ("epoch", "\(e.epoch)"), ("train_s", "\(e.seconds)"), ("train_img_s", "\(e.imagesPerSecond)"),
            ("train_loss", "\(e.trainLoss)"), ("train_acc", "\(e.trainAccuracy)"),
        ]
        if let a = e.testAccuracy { fields.append(("test_acc", "\(a)")) }
        if let l = e.testLoss { fields.append(("test_loss", "\(l)")) }
        fields.append(("own_cpu_util", "\(own)"))
        fields.append(("other_cpu_util", "\(other)"))
        print(json(fields))
        fflush(nil)
    }
    var usage = rusage()
    #if canImport(Glibc)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let maxRSSMiB = Double(usage.ru_maxrss) / 1024  // KiB on Linux
    #else
    getrusage(RUSAGE_SELF, &usage)
    let maxRSSMiB = Double(usage.ru_maxrss) / (1024 * 1024)  // bytes on Darwin
    #endif
    let summary = json([
        ("kernel", "\"\(report.kernel)\""), ("threads", "\(report.threads)"),
        ("n_train", "\(report.trainingImages)"), ("n_test", "\(report.testImages)"),
        ("mean", "\(report.normalizationMean)"), ("std", "\(report.normalizationStd)"),
        ("train_img_s", "\(report.trainImagesPerSecond)"), ("final_test_acc", "\(report.testAccuracy)"),
        ("test_loss", "\(report.testLoss)"), ("eval_s", "\(report.evaluationSeconds)"),
        ("total_s", "\(report.totalSeconds)"), ("maxrss_mib", "\(maxRSSMiB)"),
    ])
    print(summary)
    if let jsonPath, let f = fopen(jsonPath, "w") {
        fputs(summary + "\n", f)
        fclose(f)
    }
} catch {
    fail("\(error)")
}
