import Foundation
import Testing
@testable import LogtopKafka

@Suite struct KafkaProbeTests {
    @Test func unreachableBrokerIsReportedWithinTheTimeout() throws {
        let settings = KafkaSettings(bootstrapServers: "127.0.0.1:1")
        // Timed on the probing thread itself: on a loaded 2-core machine running the whole suite, the
        // thread may wait to be scheduled. The promise to users is an answer within 15 s.
        let (outcome, elapsed) = synchronously { () -> (Result<KafkaClusterInfo, KafkaError>, Double) in
            let started = Date()
            let r = Result { () throws(KafkaError) in try KafkaProbe.checkReachable(settings, timeoutMs: 5000) }
            return (r, Date().timeIntervalSince(started))
        }
        #expect(elapsed < 15)
        guard case .failure(let error) = outcome else {
            Issue.record("127.0.0.1:1 must be unreachable")
            return
        }
        #expect(error.kind == .unreachable)
        #expect(error.description.contains("127.0.0.1:1"))
        #expect(error.problem?.kind == .refused, "\(error)")
        #expect(error.message.contains("nothing listens"), "connection refused: \(error)")
        #expect(error.hint == nil, "the fix is worded by the caller (ConnectionAdvice in LogtopPipeline)")
    }

    @Test func missingBootstrapIsAConfigurationError() {
        #expect(throws: KafkaError.self) { _ = try KafkaProbe.checkReachable(KafkaSettings(), timeoutMs: 100) }
    }

    @Test func embeddedClusterIsReachable() throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 2)
        defer { cluster.close() }
        let settings = cluster.settings()
        let info = try synchronously { try KafkaProbe.checkReachable(settings, timeoutMs: 5000) }
        #expect(info.brokers.count == 2)
        #expect(Set(info.brokers.map(\.id)) == [1, 2])
    }

    /// The mock listens in plaintext: TLS and SASL clients fail fast, with the cause and its fix.
    @Test func tlsAndSaslMismatchesGetAHint() throws {
        let cluster = try EmbeddedKafkaCluster()
        defer { cluster.close() }
        let cases: [(KafkaSettings.SecurityProtocol, String)] = [(.ssl, "TLS"), (.saslSSL, "TLS"), (.saslPlaintext, "SASL")]
        for (securityProtocol, word) in cases {
            var settings = cluster.settings()
            settings.securityProtocol = securityProtocol
            settings.saslUsername = "user"
            settings.saslPassword = "password-value"
            settings.allowsPlaintextSASL = true
            let probeSettings = settings
            let outcome = synchronously { () -> Result<KafkaClusterInfo, KafkaError> in
                Result { () throws(KafkaError) in try KafkaProbe.checkReachable(probeSettings, timeoutMs: 4000) }
            }
            guard case .failure(let error) = outcome else {
                Issue.record("\(securityProtocol) against a plaintext listener must fail")
                continue
            }
            #expect(error.kind == .unreachable)
            #expect(error.description.contains(cluster.bootstrapServers))
            #expect(error.message.contains(word), "\(securityProtocol): \(error)")
            #expect(error.problem != nil, "classified, for the caller to word the fix")
            #expect(!error.description.contains("password-value"))
        }
    }
}
