import Foundation
import LogtopKafka
import Testing
@testable import LogtopPipeline

/// The fix logtop gives for each connection problem LogtopKafka classifies, in the user's terms:
/// flags, environment and `.env` variables, the repository's docker compose Kafka. The problems are
/// built from their facts here; `KafkaConnectionProblemTests` and `TLSPeerTests` (LogtopKafka) check
/// that librdkafka's reports and real peers give those facts.
@Suite struct ConnectionAdviceTests {
    let address = "localhost:9093"

    func fix(_ cause: KafkaConnectionProblem.Cause, _ proto: KafkaSettings.SecurityProtocol = .saslSSL) -> String {
        ConnectionAdvice.fix(for: KafkaConnectionProblem(cause, address: address, securityProtocol: proto))
    }

    func rejected(_ x509Error: Int32, ca: String? = "secrets/ca.crt") -> KafkaConnectionProblem.Cause {
        .certificateRejected(TLSVerificationFailure(x509Error: x509Error, depth: 0, broker: "ssl://localhost:9093/bootstrap"), caLocation: ca)
    }

    @Test func everyCertificateFailureHasAFix() {
        for code: Int32 in [20, 19, 18, 62, 64, 10, 9, 26] {
            #expect(!fix(rejected(code)).isEmpty, "X509 error \(code)")
        }
        #expect(fix(rejected(62)).contains("--brokers \(ComposeKafkaDefaults.bootstrapServers)") && fix(rejected(62)).contains("\"localhost\""))
        #expect(fix(rejected(10)).contains("docker compose down -v"))
        // Without the callback's code (should not happen), still a TLS failure with the CA fix.
        #expect(fix(.tlsHandshakeFailed(certificateVerifyFailed: true)).contains("--ca"))
        #expect(fix(.tlsHandshakeFailed(certificateVerifyFailed: false)) == "check that localhost:9093 is a TLS listener and --ca / KAFKA_SSL_CA_LOCATION")
    }

    @Test func theUnknownCAFixNamesTheCAInUse() {
        #expect(fix(rejected(20)).contains("secrets/ca.crt is not the CA"))
        let system = fix(rejected(20, ca: nil))
        #expect(system.contains("system CA store") && system.contains(ComposeKafkaDefaults.caPath))
    }

    @Test func protocolMismatchesSayWhichSettingToChange() {
        #expect(fix(.plaintextClientOnTLSListener, .plaintext).contains("KAFKA_USERNAME"))
        #expect(fix(.plaintextClientOnTLSListener, .saslPlaintext).contains("drop --insecure-plaintext-sasl"))
        #expect(fix(.tlsClientOnPlaintextListener).contains("security.protocol=plaintext"))
        #expect(fix(.notKafka) == "check the port in --brokers (the docker compose Kafka: \(ComposeKafkaDefaults.bootstrapServers))")
        #expect(fix(.saslNotOnListener).contains("SASL_SSL port"))
        #expect(fix(.saslMechanismNotEnabled(mechanism: "SCRAM-SHA-512")).contains("enable SCRAM-SHA-512 on the broker"))
    }

    @Test func saslFailuresPointAtTheCredentials() {
        let wrong = fix(.wrongCredentials(user: "admin"))
        #expect(wrong.contains("KAFKA_PASSWORD") && wrong.contains(".env"))
        #expect(fix(.authenticationFailed) == "check KAFKA_USERNAME and KAFKA_PASSWORD (environment or .env; --username, --password-file)")
    }

    @Test func downBrokersAreNamed() {
        #expect(fix(.refused).contains("docker compose up"))
        #expect(fix(.unresolvable) == "correct --brokers / KAFKA_BOOTSTRAP_SERVERS")
        #expect(fix(.noAnswer(timeoutMs: 10_000), .plaintext).contains("a TLS listener"))
        #expect(fix(.noAnswer(timeoutMs: 10_000)) == "check the address and port, or a firewall")
    }

    @Test func refusedSettingsSayWhichFlagOrVariableToChange() {
        let plain = KafkaSettings(bootstrapServers: "b:9092", securityProtocol: .saslPlaintext, saslUsername: "u", saslPassword: "p4ss")
        #expect(throws: KafkaError.self) { try plain.validate() }
        do { try plain.validate() } catch {
            #expect(ConnectionAdvice.advised(error).description == "refusing to send the SASL/PLAIN password unencrypted "
                + "(security.protocol=sasl_plaintext) (hint: use sasl_ssl (the default when credentials are set); if this network "
                + "is trusted, pass --insecure-plaintext-sasl to send it anyway)")
        }
        #expect(ConnectionAdvice.fix(for: .missingCredentials(securityProtocol: .saslSSL, missingKey: "sasl.password"))
            == "set KAFKA_USERNAME and KAFKA_PASSWORD (environment or .env)")
    }

    @Test func onlyConnectionProblemsGetAFix() {
        let other = KafkaError(kind: .produce, message: "cannot produce")
        #expect(ConnectionAdvice.advised(other) == other)
    }

    /// The probe as logtop runs it: the error carries the fix as its hint.
    @Test func anUnreachableBrokerIsReportedWithTheFix() throws {
        let error = try #require(probeError(KafkaSettings(bootstrapServers: "127.0.0.1:1"), timeoutMs: 5000))
        #expect(error.problem?.kind == .refused, "\(error)")
        #expect(error.hint?.contains("docker compose up") == true)
        #expect(error.description == "nothing listens at 127.0.0.1:1 (connection refused) [_TRANSPORT] (hint: start the broker "
            + "(the docker compose Kafka: docker compose up -d --wait) or correct --brokers / KAFKA_BOOTSTRAP_SERVERS; without a "
            + "broker setting logtop uses its embedded cluster)")
    }

    /// The mock listens in plaintext: TLS and SASL clients fail fast, with the cause and its fix.
    @Test func tlsAndSaslMismatchesGetAHint() throws {
        let cluster = try EmbeddedKafkaCluster()
        defer { cluster.close() }
        for securityProtocol: KafkaSettings.SecurityProtocol in [.ssl, .saslSSL, .saslPlaintext] {
            var settings = cluster.settings()
            settings.securityProtocol = securityProtocol
            settings.saslUsername = "user"
            settings.saslPassword = "password-value"
            settings.allowsPlaintextSASL = true
            let error = try #require(probeError(settings, timeoutMs: 4000), "\(securityProtocol) against a plaintext listener must fail")
            #expect(error.hint != nil && error.hint == error.problem.map(ConnectionAdvice.fix), "\(error)")
            #expect(!error.description.contains("password-value"))
        }
    }

    /// `ConnectionAdvice.checkReachable`'s error (nil when the cluster answered). Blocking.
    func probeError(_ settings: KafkaSettings, timeoutMs: Int) -> KafkaError? {
        do {
            _ = try ConnectionAdvice.checkReachable(settings, timeoutMs: timeoutMs)
            return nil
        } catch {
            return error
        }
    }

    /// The promise of docs/kafka-security.md, driven through the real binary: one line saying what
    /// happened and how to fix it, and a non-zero exit.
    @Test func theBinaryExitsWithTheProblemAndItsFix() throws {
        let run = try LogtopRun(["--batch", "--brokers", "127.0.0.1:1"])
        try run.finish(timeout: 30)
        #expect(run.status != 0)
        #expect(run.stderr.contains("logtop: error: nothing listens at 127.0.0.1:1 (connection refused) [_TRANSPORT] (hint: start the "
            + "broker (the docker compose Kafka: docker compose up -d --wait) or correct --brokers / KAFKA_BOOTSTRAP_SERVERS; "
            + "without a broker setting logtop uses its embedded cluster)\n"), "\(run.stderr)")
    }
}
