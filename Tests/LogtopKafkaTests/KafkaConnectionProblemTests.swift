import Foundation
import Testing
@testable import LogtopKafka

/// Classification from librdkafka 2.0.2's own texts (copied from real runs against `openssl s_server`,
/// the embedded cluster and the fake SASL broker). The SASL cases matter most here: a real
/// SASL-speaking Kafka cannot run on our machines, so these texts are the contract. The fixes for
/// these causes are worded in LogtopPipeline (`ConnectionAdviceTests`).
@Suite struct KafkaConnectionProblemTests {
    let address = "localhost:9093"
    let secure = KafkaSettings(bootstrapServers: "localhost:9093", securityProtocol: .saslSSL, saslUsername: "admin",
                               saslPassword: "never-shown-1", sslCALocation: "secrets/ca.crt")

    func classify(_ reasons: [(KafkaErrorCode, String)], logs: [String] = [], tls: [TLSVerificationFailure] = [],
                  settings: KafkaSettings? = nil) -> KafkaConnectionProblem {
        KafkaConnectionProblem.classify(
            address: address, settings: settings ?? secure,
            errors: reasons.map { KafkaErrorEvent(code: $0.0, reason: $0.1) },
            logs: logs.map { KafkaLogLine(level: 3, facility: "FAIL", message: $0) }, tlsFailures: tls, timeoutMs: 10_000)
    }

    static let verifyFailed = "sasl_ssl://localhost:9093/bootstrap: SSL handshake failed: error:0A000086:SSL routines::certificate verify failed: broker certificate could not be verified, verify that ssl.ca.location is correctly configured or root CA certificates are installed (install ca-certificates package) (after 14ms in state SSL_HANDSHAKE)"

    @Test func certificateFailuresAreToldApartByTheirX509Code() {
        let cases: [(Int32, KafkaConnectionProblem.Kind, String)] = [
            (20, .tlsUnknownCA, "not signed by a trusted CA"),
            (19, .tlsUnknownCA, "not signed by a trusted CA"),
            (18, .tlsUnknownCA, "not signed by a trusted CA"),
            (62, .tlsHostnameMismatch, "not valid for \"localhost\""),
            (64, .tlsHostnameMismatch, "not valid for"),
            (10, .tlsExpired, "expired"),
            (9, .tlsNotYetValid, "not valid yet"),
            (26, .tlsFailed, "unsupported certificate purpose"),
        ]
        for (code, kind, words) in cases {
            let p = classify([(.ssl, Self.verifyFailed)], tls: [TLSVerificationFailure(x509Error: code, depth: 0, broker: "ssl://localhost:9093/bootstrap")])
            #expect(p.kind == kind, "X509 error \(code)")
            #expect(p.message.contains(words), "\(code): \(p.message)")
            #expect(p.message.contains(address))
            #expect(p.cause == .certificateRejected(TLSVerificationFailure(x509Error: code, depth: 0, broker: "ssl://localhost:9093/bootstrap"),
                                                    caLocation: "secrets/ca.crt"))
        }
        // Without the callback's code (should not happen), still a TLS failure, one the CA can fix.
        let bare = classify([(.ssl, Self.verifyFailed)])
        #expect(bare.kind == .tlsFailed && bare.cause == .tlsHandshakeFailed(certificateVerifyFailed: true))
    }

    @Test func theUnknownCAProblemNamesTheCAInUse() {
        let unknown = TLSVerificationFailure(x509Error: 20, depth: 0, broker: "b")
        #expect(classify([(.ssl, Self.verifyFailed)], tls: [unknown]).cause == .certificateRejected(unknown, caLocation: "secrets/ca.crt"))
        var system = secure
        system.sslCALocation = nil
        let p = classify([(.ssl, Self.verifyFailed)], tls: [unknown], settings: system)
        #expect(p.cause == .certificateRejected(unknown, caLocation: nil), "the system store")
        #expect(p.detail == Self.verifyFailed)
    }

    @Test func protocolMismatchesAreNamed() {
        let plainOnTLS = classify(
            [(.transport, "localhost:9093/bootstrap: Disconnected while requesting ApiVersion: might be caused by incorrect security.protocol configuration (connecting to a SSL listener?) or broker version is < 0.10 (see api.version.request) (after 0ms in state APIVERSION_QUERY)")],
            settings: KafkaSettings(bootstrapServers: address))
        #expect(plainOnTLS.kind == .plaintextClientOnTLSListener)
        #expect(plainOnTLS.securityProtocol == .plaintext)
        for text in ["ssl://127.0.0.1:38593/bootstrap: SSL handshake failed: Disconnected: connecting to a PLAINTEXT broker listener? (after 1ms in state SSL_HANDSHAKE)",
                     "SSL handshake failed: error:0A00010B:SSL routines::wrong version number (after 2ms in state SSL_HANDSHAKE)",
                     "SSL handshake failed: error:0A0000C6:SSL routines::packet length too long"] {
            let p = classify([(.transport, text)])
            #expect(p.kind == .tlsClientOnPlaintextListener, "\(text)")
            #expect(p.message.contains("logtop connects with SASL_SSL"))
        }
        let notKafka = classify([(.transport, "sasl_ssl://localhost:9093/bootstrap: Disconnected while requesting ApiVersion: might be caused by broker version < 0.10 (see api.version.request) (after 6ms in state APIVERSION_QUERY)")])
        #expect(notKafka.kind == .notKafka)
    }

    @Test func saslFailuresAreNamedFromLibrdkafkasText() {
        let wrong = classify([(.authentication, "sasl_ssl://localhost:9093/bootstrap: SASL authentication error: Authentication failed: Invalid username or password (after 5ms in state AUTH_REQ)")])
        #expect(wrong.kind == .saslAuthenticationFailed)
        #expect(wrong.message.contains("as \"admin\"") && wrong.message.contains("wrong user name or password"))
        #expect(wrong.cause == .wrongCredentials(user: "admin"))
        // Older brokers just hang up after a bad PLAIN token.
        #expect(classify([(.transport, "sasl_ssl://localhost:9093/bootstrap: Disconnected: check client PLAIN credentials and broker logs")]).kind == .saslAuthenticationFailed)
        // The broker-side code, untranslated.
        #expect(classify([(.saslAuthenticationFailed, "SASL authentication error: something")]).kind == .saslAuthenticationFailed)
        // A code and no telling text.
        let bare = classify([(.authentication, "unexpected")])
        #expect(bare.cause == .authenticationFailed && bare.message == "SASL authentication at localhost:9093 failed")

        let mechanism = classify([(.authentication, "sasl_ssl://localhost:9093/bootstrap: SASL PLAIN mechanism handshake failed: Broker: Unsupported SASL mechanism: broker's supported mechanisms: SCRAM-SHA-512")])
        #expect(mechanism.kind == .saslMechanismNotEnabled && mechanism.message.contains("PLAIN"))

        for text in ["SASL PLAIN mechanism handshake failed: Broker: Illegal SASL state: broker's supported mechanisms: ",
                     "127.0.0.1:38593/bootstrap: SASL Handshake not supported by broker (required by mechanism PLAIN)"] {
            #expect(classify([(.authentication, text)]).kind == .saslNotOnListener, "\(text)")
        }
    }

    @Test func downBrokersAreNamed() {
        let refused = classify([(.transport, "localhost:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused (after 0ms in state CONNECT)"),
                                (.allBrokersDown, "1/1 brokers are down")])
        #expect(refused.kind == .refused && refused.message == "nothing listens at localhost:9093 (connection refused)")
        #expect(refused.detail?.contains("Connection refused") == true)
        let dns = classify([(.resolve, "nowhere.invalid:9092/bootstrap: Failed to resolve 'nowhere.invalid:9092': Name or service not known")])
        #expect(dns.kind == .unresolvable && dns.message.contains("\"localhost\""))
        let silent = classify([])
        #expect(silent.kind == .noAnswer && silent.message.contains("10 s"))
    }

    @Test func hostNamesAreTakenFromAddresses() {
        #expect(KafkaConnectionProblem.hostName(of: "localhost:9093") == "localhost")
        #expect(KafkaConnectionProblem.hostName(of: "sasl_ssl://b1.example:9093,b2:9093") == "b1.example")
        #expect(KafkaConnectionProblem.hostName(of: "[::1]:9093") == "::1")
        #expect(KafkaConnectionProblem.hostName(of: "kafka") == "kafka")
    }
}

@Suite struct SecretScrubbingTests {
    @Test func secretValuesAreHiddenFromEveryRecordedText() {
        let events = ClientEvents()
        events.hide(SecretScrubber(properties: ["sasl.password": "hunter2-pw", "ssl.key.password": "k3y-pass",
                                                "sasl.username": "alice", "linger.ms": "5"]))
        events.record(KafkaErrorEvent(code: .authentication, reason: "rejected hunter2-pw for alice"))
        events.recordLog(level: 3, facility: "FAIL", message: "key k3y-pass, linger 5")
        let state = events.snapshot
        #expect(state.errors.last?.reason == "rejected [redacted] for alice")
        #expect(state.logs.last?.message == "key [redacted], linger 5")
    }

    @Test func shortValuesAreNotSearchedFor() {
        let s = SecretScrubber(["abc", "longer-secret", "longer-secret-2"])
        #expect(s.secrets == ["longer-secret-2", "longer-secret"])
        #expect(s.scrub("abc longer-secret-2 longer-secret") == "abc [redacted] [redacted]")
    }

    @Test func settingsValidationRefusesUnsafeSASL() {
        var s = KafkaSettings(bootstrapServers: "b:9092", securityProtocol: .saslPlaintext, saslUsername: "u", saslPassword: "p4ss")
        #expect(throws: KafkaError.self) { try s.validate() }
        #expect(s.refusal == .plaintextPassword)
        #expect(throws: KafkaError(kind: .configuration,
                                   message: "refusing to send the SASL/PLAIN password unencrypted (security.protocol=sasl_plaintext)",
                                   key: "security.protocol", refusal: .plaintextPassword)) { try s.validate() }
        s.allowsPlaintextSASL = true
        #expect(throws: Never.self) { try s.validate() }
        // SCRAM never sends the password itself: allowed over plaintext.
        s.allowsPlaintextSASL = false
        s.extra["sasl.mechanisms"] = "SCRAM-SHA-512"
        #expect(throws: Never.self) { try s.validate() }
        // -X security.protocol=sasl_plaintext is caught too.
        var x = KafkaSettings(bootstrapServers: "b:9092", saslUsername: "u", saslPassword: "p4ss", extra: ["security.protocol": "sasl_plaintext"])
        #expect(x.effectiveSecurityProtocol == .saslPlaintext)
        #expect(throws: KafkaError.self) { try x.validate() }
        x.extra["security.protocol"] = "sasl_ssl"
        #expect(throws: Never.self) { try x.validate() }
        // SASL without a password.
        let noPassword = KafkaSettings(bootstrapServers: "b:9092", securityProtocol: .saslSSL, saslUsername: "u")
        #expect(throws: KafkaError.self) { try noPassword.validate() }
        #expect(noPassword.refusal == .missingCredentials(securityProtocol: .saslSSL, missingKey: "sasl.password"))
        #expect(noPassword.refusal?.description == "security.protocol=sasl_ssl needs a SASL user name and password")
        let noUser = KafkaSettings(bootstrapServers: "b:9092", securityProtocol: .saslSSL, saslPassword: "p4ss")
        #expect(noUser.refusal?.key == "sasl.username")
    }

    @Test func theConnectionSummaryShowsNoSecret() {
        let s = KafkaSettings(bootstrapServers: "localhost:9093", securityProtocol: .saslSSL, saslUsername: "admin",
                              saslPassword: "summary-secret", sslCALocation: "secrets/ca.crt")
        #expect(s.connectionSummary == "localhost:9093 (SASL_SSL, PLAIN as admin, CA secrets/ca.crt, host name verified)")
        #expect(s.secretValues == ["summary-secret"])
    }
}
