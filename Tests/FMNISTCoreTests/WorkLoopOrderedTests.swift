import Foundation
import Testing

@testable import FMNISTCore

/// ``WorkLoop/ordered(count:width:window:make:consume:)``, the pipeline behind the csv, png and hf
/// exports: pieces reach the consumer in index order whatever the thread count, no more than the
/// window are made ahead of it, and a consumer's error stops the workers and comes back.
@Suite struct WorkLoopOrderedTests {
    @Test(arguments: [1, 2, 3, 8])
    func piecesArriveInIndexOrder(width: Int) throws {
        var seen: [Int] = []
        try WorkLoop.ordered(count: 500, width: width) { index in
            // Uneven work, so that later pieces often finish first.
            if index % 7 == 0 { usleep(200) }
            return index * index
        } consume: { seen.append($0) }
        #expect(seen == (0..<500).map { $0 * $0 })
    }

    @Test func workersStayWithinTheWindow() throws {
        let made = LockedBox(0)
        let worst = LockedBox(0)
        var consumed = 0
        try WorkLoop.ordered(count: 200, width: 2, window: 3) { index in
            made.withLock { $0 += 1 }
            return index
        } consume: { _ in
            consumed += 1
            let ahead = made.withLock { $0 } - consumed
            worst.withLock { $0 = max($0, ahead) }
            usleep(100)  // a slow writer: the workers would race ahead without the bound
        }
        #expect(consumed == 200)
        #expect(worst.withLock { $0 } <= 3)
    }

    struct Stop: Error {}

    @Test func aConsumerErrorStopsTheWorkers() throws {
        let made = LockedBox(0)
        #expect(throws: Stop.self) {
            try WorkLoop.ordered(count: 10_000, width: 2, window: 4) { index in
                made.withLock { $0 += 1 }
                return index
            } consume: { index in
                if index == 10 { throw Stop() }
            }
        }
        // Stopped at piece 10: at most the window (and the pieces in hand) beyond it were made.
        #expect(made.withLock { $0 } <= 10 + 1 + 4 + 2)
    }

    @Test func threadSettingIsANumberFromOneTo64ElseTheCores() {
        #expect(WorkLoop.threads(setting: "1", cores: 2) == 1)
        #expect(WorkLoop.threads(setting: " 3 ", cores: 2) == 3)
        #expect(WorkLoop.threads(setting: "64", cores: 2) == 64)
        for ignored in [nil, "", "0", "-2", "65", "two", "1.5"] {
            #expect(WorkLoop.threads(setting: ignored, cores: 2) == 2, "FMNIST_THREADS=\(ignored ?? "unset")")
        }
        #expect(WorkLoop.threads(setting: nil, cores: 0) == 1)
        #expect(WorkLoop.threads(setting: nil, cores: 500) == 64)
    }
}
