import LogtopKafka

/// Resolves Kafka settings with the documented precedence: flags > environment > `.env` > defaults.
///
/// No broker anywhere means the embedded cluster (`nil` settings). Credentials are read from the
/// environment or `.env` only — never from the command line, where any user could read them in
/// `/proc/PID/cmdline`.
public struct KafkaConfigResolver: Sendable {
    public var brokersFlag: String?
    public var usernameFlag: String?
    public var caFlag: String?
    /// `-X key=value` passthrough.
    public var extra: [String: String] = [:]
    public var environment: [String: String]
    public var dotenv: [String: String]

    public init(brokersFlag: String? = nil, usernameFlag: String? = nil, caFlag: String? = nil,
                extra: [String: String] = [:], environment: [String: String], dotenv: [String: String]) {
        self.brokersFlag = brokersFlag
        self.usernameFlag = usernameFlag
        self.caFlag = caFlag
        self.extra = extra
        self.environment = environment
        self.dotenv = dotenv
    }

    /// First non-empty value of `key`: environment, then `.env`.
    public func lookup(_ key: String) -> String? {
        if let v = environment[key], !v.isEmpty { return v }
        if let v = dotenv[key], !v.isEmpty { return v }
        return nil
    }

    /// `nil` when no broker is configured (use the embedded cluster).
    public func resolve() -> KafkaSettings? {
        guard let brokers = nonEmpty(brokersFlag) ?? lookup("KAFKA_BOOTSTRAP_SERVERS") else { return nil }
        var s = KafkaSettings(bootstrapServers: brokers, extra: extra)
        let user = nonEmpty(usernameFlag) ?? lookup("KAFKA_USERNAME")
        let password = lookup("KAFKA_PASSWORD")
        if let user, let password {
            s.securityProtocol = .saslSSL
            s.saslUsername = user
            s.saslPassword = password
            s.sslCALocation = nonEmpty(caFlag) ?? lookup("KAFKA_SSL_CA_LOCATION")
        }
        if let proto = extra["security.protocol"], let p = KafkaSettings.SecurityProtocol(rawValue: proto.lowercased()) {
            s.securityProtocol = p
        }
        return s
    }

    /// Parses `key=value` items of `-X`.
    public static func parseExtra(_ items: [String]) throws -> [String: String] {
        var out: [String: String] = [:]
        for item in items {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw PipelineError("-X \(item): expected key=value", hint: "e.g. -X linger.ms=10")
            }
            out[String(item[..<eq])] = String(item[item.index(after: eq)...])
        }
        return out
    }

    private func nonEmpty(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }
}
