import Foundation
import LogtopTestSupport
import Testing
@testable import LogtopKafka

/// The connection errors against real peers on 127.0.0.1: `openssl s_server` with certificates made
/// here (unknown CA, wrong host name, expired, plaintext client on a TLS port), the embedded cluster
/// (TLS client on a plaintext Kafka listener) and `scripts/fake-kafka-broker.py` (SASL/PLAIN over TLS:
/// right and wrong password, mechanism not enabled). Each must be diagnosed in well under 15 s.
@Suite(.serialized) struct TLSPeerTests {
    static let budget: Double = 15

    func certificates() throws -> TestCertificates { try TestCertificates.shared.get() }

    /// Probes with `settings`, returning the error (nil on success) and how long the probe took.
    func probe(_ settings: KafkaSettings) throws -> (KafkaError?, Double) {
        let (outcome, elapsed) = synchronously { () -> (Result<KafkaClusterInfo, KafkaError>, Double) in
            let started = Date()
            let result = Result { () throws(KafkaError) in try KafkaProbe.checkReachable(settings, timeoutMs: 10_000) }
            return (result, Date().timeIntervalSince(started))
        }
        if case .failure(let error) = outcome { return (error, elapsed) }
        return (nil, elapsed)
    }

    func saslSSL(_ address: String, ca: String?, password: String = "test-password-1") -> KafkaSettings {
        KafkaSettings(bootstrapServers: address, securityProtocol: .saslSSL, saslUsername: "admin",
                      saslPassword: password, sslCALocation: ca)
    }

    /// Expects a failure of `kind` within the budget, without the password in any text.
    func expect(_ settings: KafkaSettings, _ kind: KafkaConnectionProblem.Kind, _ note: Comment? = nil) throws -> KafkaError? {
        let (error, elapsed) = try probe(settings)
        #expect(elapsed < Self.budget, "\(kind) took \(elapsed) s")
        guard let error else {
            Issue.record("expected \(kind), the probe succeeded")
            return nil
        }
        #expect(error.kind == .unreachable)
        #expect(error.problem?.kind == kind, "\(error)")
        #expect(error.description.contains(settings.bootstrapServers ?? "?"))
        if let password = settings.saslPassword {
            let texts = [error.description, error.problem?.detail ?? "", error.problem?.message ?? ""]
            #expect(texts.allSatisfy { $0.range(of: password) == nil }, "the password must not appear")
        }
        return error
    }

    /// The CA file of a rejected certificate's problem: `.some(nil)` for the system store, nil for another problem.
    func caLocation(_ error: KafkaError?) -> String?? {
        guard case .certificateRejected(_, let ca) = error?.problem?.cause else { return nil }
        return .some(ca)
    }

    @Test func theRightCAAndHostNamePassTLS() throws {
        let certs = try certificates()
        let peer = try TestPeer.tlsServer(cert: certs.localhost, key: certs.key)
        // TLS succeeds, then s_server does not answer as Kafka: that is the only complaint.
        _ = try expect(saslSSL("localhost:\(peer.port)", ca: certs.ca), .notKafka)
        // The IP address is in the certificate too (OpenSSL 3 checks IP SANs for numeric hosts).
        _ = try expect(saslSSL("127.0.0.1:\(peer.port)", ca: certs.ca), .notKafka)
    }

    @Test func anUnknownCAIsNamed() throws {
        let certs = try certificates()
        let peer = try TestPeer.tlsServer(cert: certs.localhost, key: certs.key)
        let error = try expect(saslSSL("localhost:\(peer.port)", ca: certs.otherCA), .tlsUnknownCA)
        #expect(caLocation(error) == .some(certs.otherCA), "the problem names the CA file used (for the fix)")
        #expect(error?.message.contains("not signed by a trusted CA") == true)
        // No CA given: the system store does not know our test CA either, and the fix says so.
        let system = try expect(saslSSL("localhost:\(peer.port)", ca: nil), .tlsUnknownCA)
        #expect(caLocation(system) == .some(nil), "the system CA store (the fix says so, and names the compose CA)")
    }

    @Test func aWrongHostNameIsNamed() throws {
        let certs = try certificates()
        let peer = try TestPeer.tlsServer(cert: certs.wrongHost, key: certs.key)
        let error = try expect(saslSSL("localhost:\(peer.port)", ca: certs.ca), .tlsHostnameMismatch)
        #expect(error?.message.contains("not valid for \"localhost\"") == true)
        // Turning host-name verification off (explicitly) gets past TLS.
        var lax = saslSSL("localhost:\(peer.port)", ca: certs.ca)
        lax.sslEndpointIdentification = .none
        _ = try expect(lax, .notKafka)
    }

    @Test func anExpiredCertificateIsNamed() throws {
        let certs = try certificates()
        let peer = try TestPeer.tlsServer(cert: certs.expired, key: certs.key)
        let error = try expect(saslSSL("localhost:\(peer.port)", ca: certs.ca), .tlsExpired)
        #expect(error?.message.contains("expired") == true)
    }

    @Test func aPlaintextClientOnATLSPortIsNamed() throws {
        let certs = try certificates()
        let peer = try TestPeer.tlsServer(cert: certs.localhost, key: certs.key)
        let error = try expect(KafkaSettings(bootstrapServers: "localhost:\(peer.port)"), .plaintextClientOnTLSListener)
        #expect(error?.message.contains("expects TLS") == true)
    }

    @Test func aTLSClientOnAPlaintextKafkaListenerIsNamed() throws {
        let cluster = try EmbeddedKafkaCluster()
        defer { cluster.close() }
        var settings = cluster.settings()
        settings.securityProtocol = .ssl
        let error = try expect(settings, .tlsClientOnPlaintextListener)
        #expect(error?.message.contains("does not speak TLS") == true)
        // SASL without TLS on a listener that does not do SASL (explicitly allowed to send it).
        settings.securityProtocol = .saslPlaintext
        settings.saslUsername = "admin"
        settings.saslPassword = "test-password-2"
        settings.allowsPlaintextSASL = true
        _ = try expect(settings, .saslNotOnListener)
    }

    @Test func saslPlainOverTLSAuthenticatesWithTheRightPassword() throws {
        let certs = try certificates()
        let broker = try TestPeer.fakeBroker(users: ["admin": "right-password-3"], cert: certs.localhost, key: certs.key)
        let (error, elapsed) = try probe(saslSSL("localhost:\(broker.port)", ca: certs.ca, password: "right-password-3"))
        #expect(error == nil, "\(String(describing: error))")
        #expect(elapsed < Self.budget)
        #expect(waitUntil(5) { broker.output.lines.contains("AUTH ok admin") }, "\(broker.output.lines)")
    }

    @Test func aWrongPasswordIsNamedAsSuch() throws {
        let certs = try certificates()
        let broker = try TestPeer.fakeBroker(users: ["admin": "right-password-4"], cert: certs.localhost, key: certs.key)
        let error = try expect(saslSSL("localhost:\(broker.port)", ca: certs.ca, password: "wrong-password-4"), .saslAuthenticationFailed)
        #expect(error?.message.contains("wrong user name or password") == true)
        #expect(error?.problem?.cause == .wrongCredentials(user: "admin"), "the fix points at the credentials")
        #expect(broker.output.lines.contains("AUTH failed admin"))
        // A user the broker does not know fails the same way.
        var stranger = saslSSL("localhost:\(broker.port)", ca: certs.ca, password: "right-password-4")
        stranger.saslUsername = "mallory"
        _ = try expect(stranger, .saslAuthenticationFailed)
    }

    @Test func aMechanismTheBrokerDoesNotEnableIsNamed() throws {
        let certs = try certificates()
        let broker = try TestPeer.fakeBroker(users: ["admin": "pw-5-pw-5"], mechanisms: "SCRAM-SHA-512", cert: certs.localhost, key: certs.key)
        let error = try expect(saslSSL("localhost:\(broker.port)", ca: certs.ca, password: "pw-5-pw-5"), .saslMechanismNotEnabled)
        #expect(error?.message.contains("PLAIN") == true)
    }

    @Test func plainCredentialsAreNeverSentInClearUnlessAllowed() throws {
        let broker = try TestPeer.fakeBroker(users: ["admin": "clear-password-6"])
        var settings = KafkaSettings(bootstrapServers: "localhost:\(broker.port)", securityProtocol: .saslPlaintext,
                                     saslUsername: "admin", saslPassword: "clear-password-6")
        let (refused, _) = try probe(settings)
        #expect(refused?.kind == .configuration)
        #expect(refused?.message.contains("refusing") == true)
        #expect(broker.output.lines.filter { $0.hasPrefix("AUTH") }.isEmpty, "nothing was sent")
        settings.allowsPlaintextSASL = true
        let (error, _) = try probe(settings)
        #expect(error == nil, "\(String(describing: error))")
        #expect(waitUntil(5) { broker.output.lines.contains("AUTH ok admin") })
    }
}
