import LogtopKafka

/// How to fix a `KafkaConnectionProblem` or a `KafkaSettings.Refusal`, worded for logtop's users: the flags (`--brokers`, `--ca`,
/// `-X`), the environment and `.env` variables, and the repository's docker compose Kafka
/// (`ComposeKafkaDefaults`). LogtopKafka classifies; this is where the advice is written.
public enum ConnectionAdvice {
    /// Where the SASL credentials come from.
    static let credentials = "KAFKA_USERNAME and KAFKA_PASSWORD (environment or .env; --username, --password-file)"

    /// What to do about `problem`.
    public static func fix(for problem: KafkaConnectionProblem) -> String {
        let compose = ComposeKafkaDefaults.bootstrapServers
        switch problem.cause {
        case .refused:
            return "start the broker (the docker compose Kafka: docker compose up -d --wait) or correct --brokers / "
                + "KAFKA_BOOTSTRAP_SERVERS; without a broker setting logtop uses its embedded cluster"
        case .unresolvable:
            return "correct --brokers / KAFKA_BOOTSTRAP_SERVERS"
        case .noAnswer:
            return problem.securityProtocol == .plaintext
                ? "check the address and port; a firewall, or a TLS listener (credentials select SASL_SSL, -X security.protocol=ssl selects TLS)"
                : "check the address and port, or a firewall"
        case .certificateRejected(let failure, let caLocation):
            switch failure.kind {
            case .unknownCA:
                return caLocation.map {
                    "\($0) is not the CA that signed the broker certificate: give the right one with --ca PATH or KAFKA_SSL_CA_LOCATION"
                } ?? ("logtop used the system CA store: give the broker's CA with --ca PATH or KAFKA_SSL_CA_LOCATION "
                    + "(the docker compose Kafka writes it to \(ComposeKafkaDefaults.caPath) when it starts)")
            case .hostnameMismatch:
                return "connect with a name the certificate lists (for the docker compose Kafka: --brokers \(compose)), "
                    + "or give the broker a certificate for \"\(problem.host)\""
            case .expired:
                return "renew the broker certificate (docker compose Kafka: docker compose down -v && docker compose up -d "
                    + "makes new ones) and check this machine's clock"
            case .notYetValid:
                return "check the clocks of this machine and of the broker"
            case .other:
                return "check the broker certificate and --ca / KAFKA_SSL_CA_LOCATION"
            }
        case .tlsHandshakeFailed(let certificateVerifyFailed):
            return certificateVerifyFailed
                ? "give the CA that signed the broker certificate with --ca PATH or KAFKA_SSL_CA_LOCATION, and connect with a "
                    + "host name the certificate lists"
                : "check that \(problem.address) is a TLS listener and --ca / KAFKA_SSL_CA_LOCATION"
        case .tlsClientOnPlaintextListener:
            return "use the broker's TLS port (the docker compose Kafka: \(compose)); for a plaintext listener pass "
                + "-X security.protocol=plaintext (credentials are then not used)"
        case .plaintextClientOnTLSListener:
            return problem.securityProtocol == .saslPlaintext
                ? "use SASL_SSL: drop --insecure-plaintext-sasl and any -X security.protocol=sasl_plaintext (credentials then select sasl_ssl)"
                : "set \(credentials) to use SASL_SSL, or -X security.protocol=ssl for TLS without SASL"
        case .notKafka:
            return "check the port in --brokers (the docker compose Kafka: \(compose))"
        case .wrongCredentials:
            return "check \(credentials); the docker compose Kafka takes its user from the same .env when it starts "
                + "(after changing it: docker compose down && docker compose up -d --wait)"
        case .authenticationFailed:
            return "check \(credentials)"
        case .saslMechanismNotEnabled(let mechanism):
            return "enable \(mechanism) on the broker (sasl.enabled.mechanisms) or choose one it lists with -X sasl.mechanisms=NAME"
        case .saslNotOnListener:
            return "use the broker's SASL_SSL port (the docker compose Kafka: \(compose)), or "
                + "-X security.protocol=ssl (TLS without SASL) / plaintext for that listener"
        }
    }

    /// How to change settings `refusal` refused.
    public static func fix(for refusal: KafkaSettings.Refusal) -> String {
        switch refusal {
        case .plaintextPassword:
            "use sasl_ssl (the default when credentials are set); if this network is trusted, pass --insecure-plaintext-sasl to send it anyway"
        case .missingCredentials:
            "set KAFKA_USERNAME and KAFKA_PASSWORD (environment or .env)"
        }
    }

    /// `error` with the fix of its connection problem or settings refusal as its hint (unchanged when
    /// it has neither).
    public static func advised(_ error: KafkaError) -> KafkaError {
        var advised = error
        if let problem = error.problem {
            advised.hint = fix(for: problem)
        } else if let refusal = error.refusal {
            advised.hint = fix(for: refusal)
        }
        return advised
    }

    /// `KafkaProbe.checkReachable`, whose error says how to fix the problem in logtop's terms.
    public static func checkReachable(_ settings: KafkaSettings, timeoutMs: Int = 10_000) throws(KafkaError) -> KafkaClusterInfo {
        do {
            return try KafkaProbe.checkReachable(settings, timeoutMs: timeoutMs)
        } catch {
            throw advised(error)
        }
    }
}
