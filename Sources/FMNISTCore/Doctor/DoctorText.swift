import Foundation

/// The human lines of `fmnist doctor`: each finding (status, loader, path, what it is, what
/// `--fix` did), the count of what was found, not ok and fixed, and the hint to run `--fix`
/// when something is repairable.
///
/// ```swift
/// let report = try DoctorService(layout: layout, registry: registry).run(paths: [], fix: false)
/// DoctorText.lines(report, fix: false, console: console).forEach(console.info)
/// // ok       [keras] /home/me/.keras/datasets/fashion-mnist/train-images-idx3-ubyte.gz
/// //              Fashion-MNIST's train-images, as keras reads it
/// ```
public enum DoctorText {
    public static func lines(_ report: DoctorReport, fix: Bool, console: Console) -> [String] {
        var lines: [String] = []
        let width = report.findings.map(\.status.rawValue.count).max() ?? 2
        let indent = String(repeating: " ", count: width)
        for finding in report.findings {
            let label = finding.status.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)
            let mark = console.style(finding.status == .ok ? label : label.uppercased(), finding.status == .ok ? "32" : "31")
            lines.append("\(mark)  [\(finding.loader.rawValue)] \(finding.path)")
            lines.append("\(indent)    \(finding.message)")
            if let fix = finding.fix {
                let verb = switch fix.action {
                case .replaced, .movedAside: console.style("fixed", "1;32")
                case .leftAlone: console.style("left alone", "1;33")
                case .refused, .needsFetch: console.style("not fixed", "1;31")
                }
                lines.append("\(indent)    \(verb): \(fix.message)")
            }
        }
        let problems = report.findings.filter { $0.status != .ok }.count
        let unsettled = report.findings.filter { !$0.settled }.count
        let summary = report.findings.isEmpty
            ? "no MNIST-format files found"
            : "\(report.findings.count) found, \(problems) not ok" + (fix ? ", \(problems - unsettled) fixed" : "")
        lines.append("\(summary) (scanned \(report.scanned.joined(separator: ", ")): \(report.entriesSeen) entries, "
            + "\(report.filesRead) files read, \(String(format: "%.2f", report.seconds)) s)")
        if !fix && report.repairable > 0 {
            let some = report.repairable < problems ? "\(report.repairable) of them" : "them"
            lines.append("hint: run `fmnist doctor --fix` with the same paths to repair \(some) from the workspace")
        }
        return lines
    }
}
