import Foundation
import LogtopKafka

/// Resolves Kafka settings with the documented precedence: flags > environment > `.env` > defaults.
///
/// No broker anywhere means the embedded cluster (`nil` settings; credentials are then unused, as the
/// embedded cluster has no TLS or SASL). With a broker:
///
/// - user name and password set (`--username` / `KAFKA_USERNAME`, `--password-file` / `KAFKA_PASSWORD`)
///   select SASL_SSL with PLAIN, host-name verification on, and the CA from `--ca` /
///   `KAFKA_SSL_CA_LOCATION`, else the docker compose CA (`secrets/ca.crt`) when the broker is the
///   compose one and the file exists, else the system store;
/// - a SASL/PLAIN password is never sent without TLS unless `--insecure-plaintext-sasl` asks for it;
/// - a CA alone selects SSL; nothing selects plaintext; `-X security.protocol=...` or
///   `KAFKA_SECURITY_PROTOCOL` choose explicitly.
///
/// Passwords are read from the environment, `.env` or a file only — never from the command line, where
/// any user could read them in `/proc/PID/cmdline` (`-X sasl.password=...` is refused).
public struct KafkaConfigResolver: Sendable {
    public var brokersFlag: String?
    public var usernameFlag: String?
    public var caFlag: String?
    /// The content of `--password-file`, read by the caller (`EnvFile.readSecret`).
    public var passwordFile: SecretFileValue?
    /// `--insecure-plaintext-sasl`: send SASL/PLAIN credentials without TLS.
    public var insecurePlaintextSASL: Bool
    /// `-X key=value` passthrough.
    public var extra: [String: String] = [:]
    public var environment: [String: String]
    public var dotenv: [String: String]
    /// Where `dotenv` came from and its permission bits, for the "readable by others" notice.
    public var dotenvPath: String
    public var dotenvMode: UInt16?
    /// Whether a file exists (CA paths); replaceable in tests.
    public var fileExists: @Sendable (String) -> Bool

    /// A secret read from a file, with where it came from.
    public struct SecretFileValue: Sendable, Equatable {
        public var path: String
        public var value: String
        public var mode: UInt16?
        public init(path: String, value: String, mode: UInt16? = nil) {
            self.path = path
            self.value = value
            self.mode = mode
        }
    }

    public init(brokersFlag: String? = nil, usernameFlag: String? = nil, caFlag: String? = nil,
                passwordFile: SecretFileValue? = nil, insecurePlaintextSASL: Bool = false,
                extra: [String: String] = [:], environment: [String: String], dotenv: [String: String],
                dotenvPath: String = ".env", dotenvMode: UInt16? = nil,
                fileExists: @escaping @Sendable (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }) {
        self.brokersFlag = brokersFlag
        self.usernameFlag = usernameFlag
        self.caFlag = caFlag
        self.passwordFile = passwordFile
        self.insecurePlaintextSASL = insecurePlaintextSASL
        self.extra = extra
        self.environment = environment
        self.dotenv = dotenv
        self.dotenvPath = dotenvPath
        self.dotenvMode = dotenvMode
        self.fileExists = fileExists
    }

    /// A value and where it came from ("--brokers", "environment KAFKA_USERNAME", ".env KAFKA_PASSWORD").
    public struct Sourced: Sendable, Equatable {
        public var value: String
        public var origin: String
    }

    /// First non-empty value of `key`: environment, then `.env`.
    public func lookup(_ key: String) -> String? { sourced(key)?.value }

    func sourced(_ key: String) -> Sourced? {
        if let v = environment[key], !v.isEmpty { return Sourced(value: v, origin: "environment \(key)") }
        if let v = dotenv[key], !v.isEmpty { return Sourced(value: v, origin: "\(dotenvPath) \(key)") }
        return nil
    }

    func sourced(flag value: String?, _ flag: String, key: String) -> Sourced? {
        if let value, !value.isEmpty { return Sourced(value: value, origin: flag) }
        return sourced(key)
    }

    /// The settings; `nil` when no broker is configured (use the embedded cluster).
    public func resolve() throws -> KafkaSettings? { try resolution().settings }

    /// The settings with the notices to show once (warnings, unused settings) and where each came from.
    public func resolution() throws -> KafkaResolution {
        for key in extra.keys.sorted() where KafkaSettings.isSecret(key: key) {
            throw PipelineError(
                "-X \(key)=...: refusing a secret on the command line, where every user of this machine can read it (/proc/PID/cmdline)",
                hint: "put it in the environment or in .env (chmod 600 .env); for the SASL password: KAFKA_PASSWORD or --password-file PATH")
        }
        var notices: [String] = []
        var origins: [String: String] = [:]
        let user = extra["sasl.username"].map { Sourced(value: $0, origin: "-X sasl.username") }
            ?? sourced(flag: usernameFlag, "--username", key: "KAFKA_USERNAME")
        let password = passwordFile.map { Sourced(value: $0.value, origin: "--password-file \($0.path)") } ?? sourced("KAFKA_PASSWORD")

        guard let brokers = sourced(flag: brokersFlag, "--brokers", key: "KAFKA_BOOTSTRAP_SERVERS") else {
            let given = [("--username", usernameFlag != nil), ("--ca", caFlag != nil),
                         ("--password-file", passwordFile != nil), ("--insecure-plaintext-sasl", insecurePlaintextSASL)]
            for (flag, isGiven) in given where isGiven {
                notices.append("note: \(flag) has no effect without a broker (--brokers or KAFKA_BOOTSTRAP_SERVERS): "
                    + "the embedded cluster has no TLS or SASL")
            }
            return KafkaResolution(settings: nil, notices: notices, origins: [:],
                                   unusedCredentials: [user?.origin, password?.origin].compactMap { $0 })
        }
        var s = KafkaSettings(bootstrapServers: brokers.value, extra: extra)
        origins["bootstrap.servers"] = brokers.origin

        var explicitProtocol: (value: KafkaSettings.SecurityProtocol, origin: String)?
        if let raw = extra["security.protocol"] ?? sourced("KAFKA_SECURITY_PROTOCOL")?.value {
            let origin = extra["security.protocol"] != nil ? "-X security.protocol" : sourced("KAFKA_SECURITY_PROTOCOL")!.origin
            guard let p = KafkaSettings.SecurityProtocol(rawValue: raw.lowercased()) else {
                throw PipelineError("\(origin)=\(raw): unknown security protocol",
                                    hint: "expected plaintext, ssl, sasl_ssl or sasl_plaintext")
            }
            explicitProtocol = (p, origin)
        }
        let explicitCA: Sourced? = extra["ssl.ca.location"].map { Sourced(value: $0, origin: "-X ssl.ca.location") }
            ?? sourced(flag: caFlag, "--ca", key: "KAFKA_SSL_CA_LOCATION")

        let proto: KafkaSettings.SecurityProtocol
        if let explicitProtocol {
            proto = explicitProtocol.value
            origins["security.protocol"] = explicitProtocol.origin
        } else if user != nil || password != nil {
            proto = insecurePlaintextSASL ? .saslPlaintext : .saslSSL
            origins["security.protocol"] = insecurePlaintextSASL ? "--insecure-plaintext-sasl" : "credentials are set"
        } else if let explicitCA {
            proto = .ssl
            origins["security.protocol"] = "\(explicitCA.origin) is set"
        } else {
            proto = .plaintext
            origins["security.protocol"] = "default (no credentials, no CA)"
        }
        s.securityProtocol = proto
        if s.extra["security.protocol"] != nil { s.extra["security.protocol"] = proto.rawValue }  // one spelling

        if proto.usesSASL {
            if user == nil && password == nil {
                throw PipelineError(
                    "security.protocol=\(proto.rawValue) (\(origins["security.protocol"] ?? "")) needs a SASL user name and password",
                    hint: "set KAFKA_USERNAME and KAFKA_PASSWORD in the environment or in .env (or --username, --password-file)")
            }
            guard let user else {
                throw PipelineError(
                    "a SASL password is set (\(password?.origin ?? "")) but no user name",
                    hint: "set KAFKA_USERNAME (environment or .env) or pass --username NAME")
            }
            guard let password else {
                throw PipelineError(
                    "a SASL user name is set (\(user.origin)) but no password",
                    hint: "set KAFKA_PASSWORD in the environment or in .env, or pass --password-file PATH "
                        + "(there is no password flag: command lines are visible to every user)")
            }
            s.saslUsername = user.value
            s.saslPassword = password.value
            origins["sasl.username"] = user.origin
            origins["sasl.password"] = password.origin
            if let mechanism = sourced("KAFKA_SASL_MECHANISM") {
                s.saslMechanism = mechanism.value.uppercased()
                origins["sasl.mechanisms"] = mechanism.origin
            }
            if extra["sasl.mechanisms"] != nil || extra["sasl.mechanism"] != nil { origins["sasl.mechanisms"] = "-X" }
            if proto == .saslPlaintext && s.effectiveSASLMechanism == "PLAIN" && insecurePlaintextSASL {
                s.allowsPlaintextSASL = true
                notices.append("WARNING: sending the SASL/PLAIN password for \"\(user.value)\" to \(brokers.value) WITHOUT encryption "
                    + "(--insecure-plaintext-sasl): anyone on the network path can read it")
            }
            if password.origin.hasPrefix(dotenvPath + " "), let mode = dotenvMode, mode & 0o044 != 0 {
                notices.append("note: \(dotenvPath) holds KAFKA_PASSWORD and other users of this machine can read it (mode "
                    + "\(String(mode, radix: 8).leftPadded(4)); git does not keep file modes). To make it private: chmod 600 \(dotenvPath)")
            }
            if let file = passwordFile, let mode = file.mode, mode & 0o044 != 0 {
                notices.append("note: \(file.path) holds the Kafka password and other users of this machine can read it (mode "
                    + "\(String(mode, radix: 8).leftPadded(4))). To make it private: chmod 600 \(file.path)")
            }
        } else if user != nil || password != nil {
            let which = [user?.origin, password?.origin].compactMap { $0 }.joined(separator: ", ")
            notices.append("note: the SASL credentials (\(which)) are not used: security.protocol=\(proto.rawValue) "
                + "(\(origins["security.protocol"] ?? ""))")
        }
        if insecurePlaintextSASL && proto != .saslPlaintext {
            notices.append("note: --insecure-plaintext-sasl has no effect: security.protocol=\(proto.rawValue)")
        }

        if proto.usesTLS {
            if let explicitCA {
                guard fileExists(explicitCA.value) else {
                    throw PipelineError("\(explicitCA.origin) \(explicitCA.value): no such file",
                                        hint: "give the CA certificate (PEM) that signed the broker certificate; the docker compose "
                                            + "Kafka writes its CA to \(ComposeKafkaDefaults.caPath) when it starts")
                }
                s.sslCALocation = explicitCA.value
                origins["ssl.ca.location"] = explicitCA.origin
            } else if Self.isComposeBroker(brokers.value), fileExists(ComposeKafkaDefaults.caPath) {
                s.sslCALocation = ComposeKafkaDefaults.caPath
                origins["ssl.ca.location"] = "default: the docker compose CA (\(ComposeKafkaDefaults.caPath) exists)"
            } else {
                origins["ssl.ca.location"] = Self.isComposeBroker(brokers.value)
                    ? "default: system CA store (\(ComposeKafkaDefaults.caPath) not found: docker compose up writes it)"
                    : "default: system CA store"
            }
            if !s.verifiesCertificate {
                notices.append("WARNING: the broker certificate is NOT verified (-X enable.ssl.certificate.verification=false): "
                    + "anyone on the network path can impersonate the broker" + (proto.usesSASL ? " and read the password" : ""))
            } else if !s.verifiesHostName {
                notices.append("WARNING: the broker host name is NOT verified (-X ssl.endpoint.identification.algorithm=none)")
            }
        } else if let explicitCA {
            notices.append("note: \(explicitCA.origin) is not used: security.protocol=\(proto.rawValue) has no TLS")
        }
        do { try s.validate() } catch { throw PipelineError(error.message, hint: ConnectionAdvice.advised(error).hint) }
        return KafkaResolution(settings: s, notices: notices, origins: origins, unusedCredentials: [])
    }

    /// True when every broker of the list is a name the docker compose broker certificate lists.
    static func isComposeBroker(_ list: String) -> Bool {
        let hosts = list.split(separator: ",").map { KafkaResolution.host(of: String($0).trimmingCharacters(in: .whitespaces)) }
        return !hosts.isEmpty && hosts.allSatisfy { ComposeKafkaDefaults.certificateNames.contains($0.lowercased()) }
    }

    /// Parses `key=value` items of `-X`.
    public static func parseExtra(_ items: [String]) throws -> [String: String] {
        var out: [String: String] = [:]
        for item in items {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw PipelineError("-X \(item.count > 40 ? String(item.prefix(40)) + "..." : item): expected key=value", hint: "e.g. -X linger.ms=10")
            }
            out[String(item[..<eq])] = String(item[item.index(after: eq)...])
        }
        return out
    }
}

/// What `KafkaConfigResolver` decided: settings, notices for stderr, and where each setting came from.
public struct KafkaResolution: Sendable {
    /// `nil`: no broker configured, use the embedded cluster.
    public var settings: KafkaSettings?
    /// Warnings and notes to show once on stderr (never holding a secret).
    public var notices: [String]
    /// librdkafka property → where its value came from ("--brokers", ".env KAFKA_PASSWORD"...).
    public var origins: [String: String]
    /// With the embedded cluster: where credentials were found that are not used.
    public var unusedCredentials: [String]

    /// The effective configuration for people (`--show-config`): secrets redacted.
    public func describe() -> String {
        guard let s = settings else {
            var text = "Kafka: embedded in-process cluster (no --brokers, no KAFKA_BOOTSTRAP_SERVERS)\n"
            if !unusedCredentials.isEmpty {
                text += "credentials: set (\(unusedCredentials.joined(separator: ", "))) but not used: the embedded cluster has no TLS or SASL\n"
            }
            return text
        }
        var lines = ["Kafka: \(s.connectionSummary)"]
        let props = KafkaSettings.redacted(s.producerProperties())
        let keys = ["bootstrap.servers", "security.protocol", "sasl.mechanisms", "sasl.username", "sasl.password",
                    "ssl.ca.location", "ssl.endpoint.identification.algorithm"]
        for key in keys {
            guard let value = props[key] ?? (key == "ssl.ca.location" && s.effectiveSecurityProtocol.usesTLS ? "(system CA store)" : nil) else { continue }
            lines.append("  \(key.padding(toLength: 38, withPad: " ", startingAt: 0)) \(value)\(origins[key].map { "   <- \($0)" } ?? "")")
        }
        lines.append("librdkafka producer properties:")
        for (key, value) in props.sorted(by: { $0.key < $1.key }) { lines.append("  \(key)=\(value)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// "localhost" for "localhost:9093", "::1" for "[::1]:9093".
    static func host(of address: String) -> String {
        var a = address
        if let scheme = a.range(of: "://") { a = String(a[scheme.upperBound...]) }
        if a.hasPrefix("["), let close = a.firstIndex(of: "]") { return String(a[a.index(after: a.startIndex)..<close]) }
        if a.filter({ $0 == ":" }).count == 1, let colon = a.lastIndex(of: ":") { return String(a[..<colon]) }
        return a
    }
}

extension String {
    /// Left-padded with zeros to `width`, e.g. "644" → "0644".
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
