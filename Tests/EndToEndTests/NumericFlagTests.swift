import Foundation
import Testing

/// Every numeric flag of every command, over the built binary: negative, zero where meaningless,
/// NaN, infinite and absurdly large values are usage errors (exit 2) that name the flag, the value
/// and the allowed range, before anything is read or written; the bounds themselves are accepted.
@Suite struct NumericFlagTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let arguments: [String]
        /// Text the error must contain: the flag and the value as fmnist read it.
        let named: String
        /// The allowed range as the message and `--help` say it.
        let range: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let lock = "0–604800"
    static let cases: [Case] = {
        var cases: [Case] = []
        func add(_ command: [String], _ flag: String, _ values: [(String, String)], _ range: String) {
            for (value, shown) in values { cases.append(Case(arguments: command + [flag, value], named: "\(flag) \(shown)", range: range)) }
        }
        let badSeconds = [("-1", "-1.0"), ("nan", "nan"), ("inf", "inf"), ("-inf", "-inf"), ("1e400", "inf"), ("604801", "604801.0"), ("1e12", "1000000000000.0")]
        add(["fetch", "fashion"], "--lock-timeout", badSeconds, lock)
        add(["switch", "fashion"], "--lock-timeout", badSeconds, lock)
        add(["import", "/nonexistent", "--as", "fashion"], "--lock-timeout", badSeconds, lock)
        add(["remove", "fashion@915659908dce"], "--lock-timeout", badSeconds, lock)
        add(["gc"], "--lock-timeout", badSeconds, lock)
        add(["fetch", "fashion"], "--jobs", [("0", "0"), ("-3", "-3"), ("33", "33"), ("10000000000", "10000000000")], "1–32")
        add(["smoke-train"], "--epochs", [("0", "0"), ("-1", "-1"), ("1001", "1001"), ("10000000000", "10000000000")], "1–1000")
        add(["smoke-train"], "--batch", [("0", "0"), ("-64", "-64"), ("8193", "8193"), ("10000000000", "10000000000")], "1–8192")
        add(["smoke-train"], "--limit", [("0", "0"), ("-5", "-5"), ("10000001", "10000001")], "1–10000000")
        add(["smoke-train"], "--threads", [("0", "0"), ("-2", "-2"), ("257", "257"), ("10000000000", "10000000000")], "1–256")
        add(["smoke-train"], "--lr", [("0", "0.0"), ("-0.01", "-0.01"), ("nan", "nan"), ("inf", "inf"), ("1e400", "inf"), ("101", "101.0")],
            "more than 0, at most 100")
        add(["log"], "--limit", [("0", "0"), ("-1", "-1"), ("1000001", "1000001"), ("10000000000", "10000000000")], "1–1000000")
        add(["preview", "--out", "x.png"], "--per-class", [("0", "0"), ("-1", "-1"), ("101", "101"), ("10000000000", "10000000000")], "1–100")
        return cases
    }()

    @Test(arguments: cases) func badValueIsAUsageErrorNamingFlagValueAndRange(_ flag: Case) throws {
        let workspace = try TemporaryDirectory("flags")
        let root = workspace.path("data")
        let result = try FMNISTProcess.run(flag.arguments + ["--root", root.path], currentDirectory: workspace.url)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("\(flag.named) is"), "\(result.stderr)")
        #expect(result.stderr.contains("it must be \(flag.range)"), "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("internal error"))
        // Refused before anything happened: no workspace, no preview file.
        #expect(!FileManager.default.fileExists(atPath: root.path))
        #expect(!FileManager.default.fileExists(atPath: workspace.path("x.png").path))
    }

    /// Numbers ArgumentParser cannot read as the flag's type (too large for 64 bits, a fraction
    /// for a count, a negative seed) are usage errors too, and the help line it prints says the range.
    @Test(arguments: [
        (["smoke-train", "--batch", "99999999999999999999999"], "Batch size (1–8192)"),
        (["smoke-train", "--epochs", "1.5"], "Passes over the training set (1–1000)"),
        (["smoke-train", "--seed", "-1"], "(0–18446744073709551615)"),
        (["smoke-train", "--seed", "18446744073709551616"], "(0–18446744073709551615)"),
        (["fetch", "--jobs", "abc"], "Files downloaded at once (1–32)"),
        (["switch", "fashion", "--lock-timeout", "soon"], "0 does not wait"),
    ])
    func unreadableNumberIsAUsageErrorShowingTheRange(_ arguments: [String], _ help: String) throws {
        let workspace = try TemporaryDirectory("flags")
        let result = try FMNISTProcess.run(arguments + ["--root", workspace.path("data").path])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("is invalid for '\(arguments[arguments.count - 2])"), "\(result.stderr)")
        #expect(result.stderr.contains(help), "\(result.stderr)")
    }

    /// The bounds themselves pass validation: the command gets as far as finding no workspace at
    /// the root (exit 4), not a usage error.
    @Test func theBoundsAreAccepted() throws {
        let workspace = try TemporaryDirectory("flags")
        let root = workspace.path("data").path
        let train = try FMNISTProcess.run([
            "smoke-train", "mnist", "--epochs", "1000", "--batch", "8192", "--threads", "256", "--lr", "100", "--limit", "10000000",
            "--seed", "18446744073709551615", "--root", root,
        ])
        #expect(train.status == 4, "\(train.stderr)")
        let small = try FMNISTProcess.run(["smoke-train", "mnist", "--epochs", "1", "--batch", "1", "--threads", "1", "--lr", "1e-9", "--limit", "1", "--root", root])
        #expect(small.status == 4, "\(small.stderr)")
        let log = try FMNISTProcess.run(["log", "--limit", "1", "--root", root])
        #expect(log.status == 4 && log.stderr.contains("no workspace at"), "\(log.stderr)")
        let switchNow = try FMNISTProcess.run(["switch", "fashion", "--lock-timeout", "0", "--root", root])
        #expect(switchNow.status == 4, "\(switchNow.stderr)")
        // A negative number right after the flag is read as its value (and refused), not as an option.
        let negative = try FMNISTProcess.run(["log", "--limit", "-1", "--root", root])
        #expect(negative.stderr.contains("--limit -1 is out of range"), "\(negative.stderr)")
    }

    /// `--help` of each command says each numeric flag's range.
    @Test(arguments: [
        ("fetch", ["(1–32)", "0–604800"]), ("switch", ["0–604800"]), ("import", ["0–604800"]), ("remove", ["0–604800"]), ("gc", ["0–604800"]), ("log", ["(1–1000000)"]),
        ("preview", ["(1–100)"]),
        ("smoke-train", ["(1–1000)", "(1–8192)", "1–10000000", "(1–256", "more than 0, at most 100", "0–18446744073709551615"]),
    ])
    func helpSaysTheRanges(_ command: String, _ ranges: [String]) throws {
        let help = try FMNISTProcess.run([command, "--help"])
        #expect(help.status == 0)
        // ArgumentParser wraps help at 80 columns: compare with the line breaks taken out.
        let text = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for range in ranges { #expect(text.contains(range), "\(command): \(range)") }
    }
}
