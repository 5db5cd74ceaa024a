/// How to reach a Kafka cluster, as a plain value.
///
/// Rendered to librdkafka properties by `producerProperties()` and
/// `consumerProperties(group:)`; `extra` (from `-X key=value`) is applied last
/// and overrides anything else. Rendering is a pure function of the value.
public struct KafkaSettings: Sendable, Equatable {
    /// `security.protocol`.
    public enum SecurityProtocol: String, Sendable, Equatable, CaseIterable {
        case plaintext = "plaintext"
        case ssl = "ssl"
        case saslSSL = "sasl_ssl"
        case saslPlaintext = "sasl_plaintext"

        /// Whether the connection is TLS-encrypted.
        public var usesTLS: Bool { self == .ssl || self == .saslSSL }
        /// Whether SASL credentials are sent.
        public var usesSASL: Bool { self == .saslSSL || self == .saslPlaintext }
    }

    /// `ssl.endpoint.identification.algorithm`.
    public enum EndpointIdentification: String, Sendable, Equatable {
        /// Verify that the broker certificate matches its host name.
        case https = "https"
        /// Do not verify the host name (self-signed test setups only).
        case none = "none"
    }

    /// `bootstrap.servers`, e.g. "broker1:9092,broker2:9092"; nil when none is configured.
    public var bootstrapServers: String?
    /// `client.id`.
    public var clientId: String
    /// `security.protocol`.
    public var securityProtocol: SecurityProtocol
    /// `sasl.mechanisms` (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512).
    public var saslMechanism: String
    /// `sasl.username`.
    public var saslUsername: String?
    /// `sasl.password` (secret: never rendered by `redactedDescription`).
    public var saslPassword: String?
    /// `ssl.ca.location`: CA bundle used to verify the broker certificate.
    public var sslCALocation: String?
    /// `ssl.endpoint.identification.algorithm`.
    public var sslEndpointIdentification: EndpointIdentification
    /// Passthrough librdkafka properties (`-X key=value`), applied last.
    public var extra: [String: String]
    /// Tune timeouts for librdkafka's in-process mock cluster (low session
    /// timeout, short fetch wait). Set by `EmbeddedKafkaCluster.settings`.
    public var tunedForEmbeddedCluster: Bool
    /// Allow a SASL/PLAIN password to be sent unencrypted (`sasl_plaintext`):
    /// refused by `validate()` unless the user asked for it explicitly.
    public var allowsPlaintextSASL: Bool = false

    public init(
        bootstrapServers: String? = nil,
        clientId: String = "logtop",
        securityProtocol: SecurityProtocol = .plaintext,
        saslMechanism: String = "PLAIN",
        saslUsername: String? = nil,
        saslPassword: String? = nil,
        sslCALocation: String? = nil,
        sslEndpointIdentification: EndpointIdentification = .https,
        extra: [String: String] = [:],
        tunedForEmbeddedCluster: Bool = false
    ) {
        self.bootstrapServers = bootstrapServers
        self.clientId = clientId
        self.securityProtocol = securityProtocol
        self.saslMechanism = saslMechanism
        self.saslUsername = saslUsername
        self.saslPassword = saslPassword
        self.sslCALocation = sslCALocation
        self.sslEndpointIdentification = sslEndpointIdentification
        self.extra = extra
        self.tunedForEmbeddedCluster = tunedForEmbeddedCluster
    }

    /// Properties shared by every client: connection and security. The security settings follow
    /// `effectiveSecurityProtocol`, so `-X security.protocol=sasl_ssl` still sends the credentials.
    public func commonProperties() -> [String: String] {
        let securityProtocol = effectiveSecurityProtocol
        var props: [String: String] = [
            "client.id": clientId,
            "security.protocol": securityProtocol.rawValue,
        ]
        if let bootstrapServers { props["bootstrap.servers"] = bootstrapServers }
        if securityProtocol.usesSASL {
            props["sasl.mechanisms"] = saslMechanism
            if let saslUsername { props["sasl.username"] = saslUsername }
            if let saslPassword { props["sasl.password"] = saslPassword }
        }
        if securityProtocol.usesTLS {
            if let sslCALocation { props["ssl.ca.location"] = sslCALocation }
            props["ssl.endpoint.identification.algorithm"] = sslEndpointIdentification.rawValue
        }
        return props
    }

    /// Producer properties: idempotent, `acks=all`, lz4 compression, 5 ms linger.
    public func producerProperties() -> [String: String] {
        var props = commonProperties()
        props["enable.idempotence"] = "true"
        props["acks"] = "all"
        props["compression.type"] = "lz4"
        props["linger.ms"] = "5"
        // Records without a key (generated lines) go to a random partition each, not in sticky
        // batches: sticky partitioning sent a fast generator's lines 5:1 to one partition, which then
        // limits how many analyzers can share the work and fills that partition's retention first.
        props["sticky.partitioning.linger.ms"] = "0"
        return props.merging(extra) { _, override in override }
    }

    /// Consumer-group properties for at-least-once consumption: offsets are
    /// stored explicitly after processing (`enable.auto.offset.store=false`) and
    /// committed in the background every `autoCommitIntervalMs`.
    public func consumerProperties(group: String, autoCommitIntervalMs: Int = 1000) -> [String: String] {
        var props = commonProperties()
        props["group.id"] = group
        props["enable.auto.offset.store"] = "false"
        props["enable.auto.commit"] = "true"
        props["auto.commit.interval.ms"] = String(autoCommitIntervalMs)
        props["auto.offset.reset"] = "earliest"
        if tunedForEmbeddedCluster {
            // The mock cluster makes a joining member wait about
            // session.timeout.ms, and holds an empty fetch for the whole
            // fetch.wait.max.ms even when data arrives.
            props["session.timeout.ms"] = "6000"
            props["heartbeat.interval.ms"] = "1000"
            props["fetch.wait.max.ms"] = "20"
        }
        return props.merging(extra) { _, override in override }
    }

    /// `security.protocol` as rendered: a `-X security.protocol=...` in `extra` wins.
    public var effectiveSecurityProtocol: SecurityProtocol {
        extra["security.protocol"].flatMap { SecurityProtocol(rawValue: $0.lowercased()) } ?? securityProtocol
    }

    /// `sasl.mechanisms` as rendered (`extra` wins; `sasl.mechanism` is librdkafka's alias).
    public var effectiveSASLMechanism: String {
        (extra["sasl.mechanisms"] ?? extra["sasl.mechanism"] ?? saslMechanism).uppercased()
    }

    /// Whether the broker certificate's host name is checked, as rendered.
    public var verifiesHostName: Bool {
        (extra["ssl.endpoint.identification.algorithm"] ?? sslEndpointIdentification.rawValue).lowercased() != "none"
            && (extra["enable.ssl.certificate.verification"] ?? "true").lowercased() != "false"
    }

    /// Whether the broker certificate is verified at all, as rendered.
    public var verifiesCertificate: Bool {
        (extra["enable.ssl.certificate.verification"] ?? "true").lowercased() != "false"
    }

    /// The values of every secret property, for `SecretScrubber`.
    public var secretValues: [String] {
        producerProperties().filter { Self.isSecret(key: $0.key) }.map(\.value)
    }

    /// One line saying how logtop connects, without secrets, e.g.
    /// `localhost:9093 (SASL_SSL, PLAIN as admin, CA secrets/ca.crt, host name verified)`.
    public var connectionSummary: String {
        let proto = effectiveSecurityProtocol
        var parts = [proto.rawValue.uppercased()]
        if proto.usesSASL {
            let user = extra["sasl.username"] ?? saslUsername
            parts.append(effectiveSASLMechanism + (user.map { " as \($0)" } ?? ""))
        }
        if proto.usesTLS {
            let ca = extra["ssl.ca.location"] ?? sslCALocation
            parts.append(ca.map { "CA \($0)" } ?? "CA: system store")
            if !verifiesCertificate {
                parts.append("certificate NOT verified")
            } else {
                parts.append(verifiesHostName ? "host name verified" : "host name NOT verified")
            }
        }
        return "\(bootstrapServers ?? "?") (\(parts.joined(separator: ", ")))"
    }

    /// Whether a property holds a secret that must never be shown or logged.
    public static func isSecret(key: String) -> Bool {
        let lower = key.lowercased()
        return lower.contains("password") || lower.contains("secret")
            || secretKeys.contains(lower)
    }

    private static let secretKeys: Set<String> = [
        "sasl.password", "ssl.key.password", "ssl.keystore.password",
        "ssl.key.pem", "ssl_key", "sasl.oauthbearer.config",
        "sasl.oauthbearer.client.secret",
    ]

    /// The placeholder shown instead of secret values.
    public static let redactedPlaceholder = "[redacted]"

    /// `props` with every secret value replaced by "[redacted]".
    public static func redacted(_ props: [String: String]) -> [String: String] {
        var copy = props
        for key in props.keys where isSecret(key: key) { copy[key] = redactedPlaceholder }
        return copy
    }

    /// The producer properties as sorted `key=value` lines, secrets redacted:
    /// safe to print or log.
    public var redactedDescription: String {
        Self.redacted(producerProperties())
            .sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value)" }
            .joined(separator: "\n")
    }
}
