import Foundation
import Testing

@testable import FMNISTCore

/// Backoff, transient classification and settings from the environment.
@Suite struct TransferRetryTests {
    @Test func backoffDoublesUpToTheCapWithJitterInTheUpperHalf() {
        let policy = RetryPolicy(retries: 5, baseDelay: 0.5, maxDelay: 4)
        #expect(policy.ceiling(forRetry: 0) == 0.5)
        #expect(policy.ceiling(forRetry: 1) == 1)
        #expect(policy.ceiling(forRetry: 3) == 4)
        #expect(policy.ceiling(forRetry: 60) == 4)
        #expect(policy.delay(forRetry: 1, random: 0) == 0.5)
        #expect(policy.delay(forRetry: 1, random: 1) == 1)
        for retry in 0..<8 {
            let delay = policy.delay(forRetry: retry)
            #expect(delay >= policy.ceiling(forRetry: retry) / 2 && delay <= policy.ceiling(forRetry: retry))
        }
        #expect(RetryPolicy(retries: -3, baseDelay: -1).retries == 0)
    }

    @Test func transientFailuresAreTimeoutsResetsAndServerErrors() {
        #expect(TransferFailure.httpStatus(500).isTransient)
        #expect(TransferFailure.httpStatus(503).isTransient)
        #expect(TransferFailure.httpStatus(429).isTransient)
        #expect(!TransferFailure.httpStatus(403).isTransient)
        #expect(!TransferFailure.httpStatus(404).isTransient)
        #expect(TransferFailure.timeout(message: "x").isTransient)
        #expect(TransferFailure.connectionLost(message: "reset").isTransient)
        #expect(!TransferFailure.unreachable(message: "dns").isTransient)
        #expect(!TransferFailure.redirectRefused(target: "file:///etc/passwd").isTransient)
        #expect(!TransferFailure.certificate(message: "x").isTransient)
        #expect(TransferFailure.httpStatus(404).description == "HTTP 404 Not Found")
    }

    @Test func settingsFromTheEnvironment() throws {
        let settings = try TransferSettings.resolve(environment: [
            "FMNIST_RETRY_BASE_MS": "20", "FMNIST_RETRIES": "1", "FMNIST_CONNECT_TIMEOUT": "3", "FMNIST_LOW_SPEED_TIME": "2",
        ])
        #expect(settings.retry.baseDelay == 0.02)
        #expect(settings.retry.retries == 1)
        #expect(settings.connectTimeout == 3)
        #expect(settings.lowSpeedTime == 2)
        #expect(settings.userAgent == "fmnist/\(FMNISTCoreVersion.string)")
        #expect(try TransferSettings.resolve(environment: [:]) == TransferSettings())
        #expect(throws: UsageError.self) { try TransferSettings.resolve(environment: ["FMNIST_RETRIES": "lots"]) }
        #expect(throws: UsageError.self) { try TransferSettings.resolve(environment: ["FMNIST_CONNECT_TIMEOUT": "0"]) }
        #expect(throws: UsageError.self) { try TransferSettings.resolve(caBundle: "/nonexistent.pem", environment: [:]) }
        #expect(throws: UsageError.self) { try TransferSettings.resolve(environment: ["FMNIST_CA_BUNDLE": "/nonexistent.pem"]) }
    }
}
