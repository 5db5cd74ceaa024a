/// Why logtop could not talk to a configured Kafka cluster, with the fix, classified from what
/// librdkafka reported: error callbacks, warning logs and rejected broker certificates.
///
/// A pure function of its inputs, so every case is unit-tested from librdkafka's texts, including the
/// SASL ones that need a SASL-speaking broker to happen for real.
public struct KafkaConnectionProblem: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// Nothing listens at the address (connection refused).
        case refused
        /// The host name does not resolve.
        case unresolvable
        /// No answer at all within the time allowed.
        case noAnswer
        /// TLS: the certificate chain does not lead to a trusted CA.
        case tlsUnknownCA
        /// TLS: the certificate is not valid for the host name connected to.
        case tlsHostnameMismatch
        /// TLS: the certificate has expired.
        case tlsExpired
        /// TLS: the certificate is not valid yet.
        case tlsNotYetValid
        /// TLS: another handshake or certificate failure.
        case tlsFailed
        /// A TLS client (ssl, sasl_ssl) reached a plaintext listener.
        case tlsClientOnPlaintextListener
        /// A plaintext client (plaintext, sasl_plaintext) reached a TLS listener.
        case plaintextClientOnTLSListener
        /// TLS works, but the server does not answer as Kafka.
        case notKafka
        /// SASL: wrong user name or password.
        case saslAuthenticationFailed
        /// SASL: the broker does not enable the mechanism (e.g. PLAIN).
        case saslMechanismNotEnabled
        /// SASL: the listener does not do SASL at all.
        case saslNotOnListener
    }

    public var kind: Kind
    /// What happened, naming the address.
    public var message: String
    /// What to do about it.
    public var fix: String
    /// librdkafka's own text that led to the classification (never holds a secret value: every
    /// recorded text has gone through the client's `SecretScrubber`).
    public var detail: String?

    public init(kind: Kind, message: String, fix: String, detail: String? = nil) {
        self.kind = kind
        self.message = message
        self.fix = fix
        self.detail = detail
    }

    public var description: String { "\(message) (fix: \(fix))" }

    /// Classifies what a client recorded while trying `address`.
    ///
    /// - Parameters:
    ///   - errors: error-callback events, oldest first.
    ///   - logs: warning-or-worse log lines, oldest first.
    ///   - tlsFailures: broker certificates OpenSSL rejected, oldest first.
    ///   - timeoutMs: how long the client tried (for the no-answer case).
    public static func classify(
        address: String, settings: KafkaSettings, errors: [KafkaErrorEvent], logs: [KafkaLogLine] = [],
        tlsFailures: [TLSVerificationFailure] = [], timeoutMs: Int
    ) -> KafkaConnectionProblem {
        let texts = errors.map(\.reason) + logs.map(\.message)
        func first(_ needles: String...) -> String? {
            texts.last { text in needles.contains { text.localizedCaseInsensitiveContains($0) } }
        }
        let proto = settings.effectiveSecurityProtocol
        let mechanism = settings.effectiveSASLMechanism
        let user = settings.extra["sasl.username"] ?? settings.saslUsername
        let ca = settings.extra["ssl.ca.location"] ?? settings.sslCALocation
        let host = hostName(of: address)
        let credentials = "KAFKA_USERNAME and KAFKA_PASSWORD (environment or .env; --username, --password-file)"

        // A rejected certificate: the X.509 code says exactly why.
        if let failure = tlsFailures.last {
            let detail = first("SSL handshake failed", "certificate verify failed") ?? failure.description
            switch failure.kind {
            case .unknownCA:
                let fix = ca.map {
                    "\($0) is not the CA that signed the broker certificate: give the right one with --ca PATH "
                        + "or KAFKA_SSL_CA_LOCATION"
                } ?? ("logtop used the system CA store: give the broker's CA with --ca PATH or KAFKA_SSL_CA_LOCATION "
                    + "(the docker compose Kafka writes it to \(ComposeKafkaDefaults.caPath) when it starts)")
                return .init(kind: .tlsUnknownCA,
                             message: "TLS handshake with \(address) failed: the broker certificate is not signed by a trusted CA (\(failure.reason))",
                             fix: fix, detail: detail)
            case .hostnameMismatch:
                return .init(kind: .tlsHostnameMismatch,
                             message: "TLS handshake with \(address) failed: the broker certificate is not valid for \"\(host)\" (\(failure.reason))",
                             fix: "connect with a name the certificate lists (for the docker compose Kafka: --brokers "
                                + "\(ComposeKafkaDefaults.bootstrapServers)), or give the broker a certificate for \"\(host)\"",
                             detail: detail)
            case .expired:
                return .init(kind: .tlsExpired,
                             message: "TLS handshake with \(address) failed: the broker certificate has expired",
                             fix: "renew the broker certificate (docker compose Kafka: docker compose down -v && docker compose up -d "
                                + "makes new ones) and check this machine's clock",
                             detail: detail)
            case .notYetValid:
                return .init(kind: .tlsNotYetValid,
                             message: "TLS handshake with \(address) failed: the broker certificate is not valid yet",
                             fix: "check the clocks of this machine and of the broker", detail: detail)
            case .other:
                return .init(kind: .tlsFailed,
                             message: "TLS handshake with \(address) failed: the broker certificate was rejected (\(failure.reason))",
                             fix: "check the broker certificate and --ca / KAFKA_SSL_CA_LOCATION", detail: detail)
            }
        }
        if let text = first("wrong version number", "packet length too long", "connecting to a PLAINTEXT broker listener",
                            "record layer failure", "unexpected eof while reading") {
            return .init(kind: .tlsClientOnPlaintextListener,
                         message: "\(address) does not speak TLS: logtop connects with \(proto.rawValue.uppercased()) but that listener is plaintext",
                         fix: "use the broker's TLS port (the docker compose Kafka: \(ComposeKafkaDefaults.bootstrapServers)); for a "
                            + "plaintext listener pass -X security.protocol=plaintext (credentials are then not used)",
                         detail: text)
        }
        if let text = first("connecting to a SSL listener") {
            let how = proto == .saslPlaintext
                ? "use SASL_SSL: drop --insecure-plaintext-sasl and any -X security.protocol=sasl_plaintext (credentials then select sasl_ssl)"
                : "set \(credentials) to use SASL_SSL, or -X security.protocol=ssl for TLS without SASL"
            return .init(kind: .plaintextClientOnTLSListener,
                         message: "\(address) expects TLS, but logtop connected without it (security.protocol=\(proto.rawValue))",
                         fix: how, detail: text)
        }
        if let text = first("Unsupported SASL mechanism") {
            return .init(kind: .saslMechanismNotEnabled,
                         message: "the broker at \(address) does not accept the SASL mechanism \(mechanism)",
                         fix: "enable \(mechanism) on the broker (sasl.enabled.mechanisms) or choose one it lists with "
                            + "-X sasl.mechanisms=NAME",
                         detail: text)
        }
        if let text = first("Illegal SASL state", "SASL Handshake not supported") {
            return .init(kind: .saslNotOnListener,
                         message: "the listener at \(address) does not do SASL, but logtop sends credentials (security.protocol=\(proto.rawValue))",
                         fix: "use the broker's SASL_SSL port (the docker compose Kafka: \(ComposeKafkaDefaults.bootstrapServers)), or "
                            + "-X security.protocol=ssl (TLS without SASL) / plaintext for that listener",
                         detail: text)
        }
        if let text = first("SASL authentication error", "Authentication failed", "Invalid username or password",
                            "check client PLAIN credentials", "check client SCRAM") {
            return .init(kind: .saslAuthenticationFailed,
                         message: "SASL authentication \(user.map { "as \"\($0)\" " } ?? "")at \(address) failed: wrong user name or password",
                         fix: "check \(credentials); the docker compose Kafka takes its user from the same .env when it starts "
                            + "(after changing it: docker compose down && docker compose up -d --wait)",
                         detail: text)
        }
        if let event = errors.last(where: { $0.code == .authentication || $0.code == .saslAuthenticationFailed }) {
            return .init(kind: .saslAuthenticationFailed,
                         message: "SASL authentication at \(address) failed", fix: "check \(credentials)", detail: event.reason)
        }
        if let text = first("SSL handshake failed", "certificate verify failed", "SSL routines") {
            let fix = (text.contains("certificate verify failed"))
                ? "give the CA that signed the broker certificate with --ca PATH or KAFKA_SSL_CA_LOCATION, and connect with a "
                    + "host name the certificate lists"
                : "check that \(address) is a TLS listener and --ca / KAFKA_SSL_CA_LOCATION"
            return .init(kind: .tlsFailed, message: "TLS handshake with \(address) failed", fix: fix, detail: text)
        }
        if let text = first("Connection refused") {
            return .init(kind: .refused,
                         message: "nothing listens at \(address) (connection refused)",
                         fix: "start the broker (the docker compose Kafka: docker compose up -d --wait) or correct --brokers / "
                            + "KAFKA_BOOTSTRAP_SERVERS; without a broker setting logtop uses its embedded cluster",
                         detail: text)
        }
        if let text = first("Failed to resolve") ?? errors.last(where: { $0.code == .resolve })?.reason {
            return .init(kind: .unresolvable,
                         message: "the host name \"\(host)\" of \(address) does not resolve",
                         fix: "correct --brokers / KAFKA_BOOTSTRAP_SERVERS", detail: text)
        }
        if proto.usesTLS, let text = first("might be caused by broker version") {
            return .init(kind: .notKafka,
                         message: "TLS with \(address) works, but the server there does not answer as Kafka",
                         fix: "check the port in --brokers (the docker compose Kafka: \(ComposeKafkaDefaults.bootstrapServers))",
                         detail: text)
        }
        let detail = errors.last(where: { $0.code != .allBrokersDown })?.reason ?? errors.last?.reason
        let fix = proto == .plaintext
            ? "check the address and port; a firewall, or a TLS listener (credentials select SASL_SSL, -X security.protocol=ssl selects TLS)"
            : "check the address and port, or a firewall"
        return .init(kind: .noAnswer, message: "no answer from Kafka at \(address) within \(timeoutMs / 1000) s",
                     fix: fix, detail: detail)
    }

    /// "localhost" for "localhost:9093", "::1" for "[::1]:9093"; the first broker of a list.
    static func hostName(of address: String) -> String {
        var first = String(address.split(separator: ",").first ?? "")
        if let scheme = first.range(of: "://") { first = String(first[scheme.upperBound...]) }
        if first.hasPrefix("["), let close = first.firstIndex(of: "]") {
            return String(first[first.index(after: first.startIndex)..<close])
        }
        if first.filter({ $0 == ":" }).count == 1, let colon = first.lastIndex(of: ":") {
            return String(first[..<colon])
        }
        return first
    }
}
