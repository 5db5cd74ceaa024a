/// Why logtop could not talk to a configured Kafka cluster, classified from what librdkafka reported:
/// error callbacks, warning logs and rejected broker certificates.
///
/// The facts only (the cause, the address, the security protocol, the CA in use, librdkafka's text):
/// how to fix it depends on how the user configured the client (flags, environment, a compose file),
/// so that advice is worded where it is shown (LogtopPipeline's `ConnectionAdvice`).
///
/// A pure function of its inputs, so every case is unit-tested from librdkafka's texts, including the
/// SASL ones that need a SASL-speaking broker to happen for real.
public struct KafkaConnectionProblem: Sendable, Equatable, CustomStringConvertible {
    /// The cause, with the facts each one needs.
    public enum Cause: Sendable, Equatable {
        /// Nothing listens at the address (connection refused).
        case refused
        /// The host name does not resolve.
        case unresolvable
        /// No answer at all within `timeoutMs`.
        case noAnswer(timeoutMs: Int)
        /// OpenSSL rejected the broker certificate (the X.509 code says why); `caLocation` is the CA
        /// file the client used, nil for the system store.
        case certificateRejected(TLSVerificationFailure, caLocation: String?)
        /// The TLS handshake failed without a rejected certificate being reported;
        /// `certificateVerifyFailed` when librdkafka said "certificate verify failed".
        case tlsHandshakeFailed(certificateVerifyFailed: Bool)
        /// A TLS client (ssl, sasl_ssl) reached a plaintext listener.
        case tlsClientOnPlaintextListener
        /// A plaintext client (plaintext, sasl_plaintext) reached a TLS listener.
        case plaintextClientOnTLSListener
        /// TLS works, but the server does not answer as Kafka.
        case notKafka
        /// SASL: the broker said the user name or password is wrong; `user` is the name sent.
        case wrongCredentials(user: String?)
        /// SASL: authentication failed with an error code and no more telling text.
        case authenticationFailed
        /// SASL: the broker does not enable `mechanism` (e.g. PLAIN).
        case saslMechanismNotEnabled(mechanism: String)
        /// SASL: the listener does not do SASL at all.
        case saslNotOnListener
    }

    /// The causes grouped the way a user tells them apart.
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

    public var cause: Cause
    /// The bootstrap address tried, e.g. "localhost:9093".
    public var address: String
    /// The security protocol the client used (`KafkaSettings.effectiveSecurityProtocol`).
    public var securityProtocol: KafkaSettings.SecurityProtocol
    /// librdkafka's own text that led to the classification (never holds a secret value: every
    /// recorded text has gone through the client's `SecretScrubber`).
    public var detail: String?

    public init(_ cause: Cause, address: String, securityProtocol: KafkaSettings.SecurityProtocol, detail: String? = nil) {
        self.cause = cause
        self.address = address
        self.securityProtocol = securityProtocol
        self.detail = detail
    }

    /// The host name of the first broker in `address`.
    public var host: String { Self.hostName(of: address) }

    public var kind: Kind {
        switch cause {
        case .refused: .refused
        case .unresolvable: .unresolvable
        case .noAnswer: .noAnswer
        case .certificateRejected(let failure, _):
            switch failure.kind {
            case .unknownCA: .tlsUnknownCA
            case .hostnameMismatch: .tlsHostnameMismatch
            case .expired: .tlsExpired
            case .notYetValid: .tlsNotYetValid
            case .other: .tlsFailed
            }
        case .tlsHandshakeFailed: .tlsFailed
        case .tlsClientOnPlaintextListener: .tlsClientOnPlaintextListener
        case .plaintextClientOnTLSListener: .plaintextClientOnTLSListener
        case .notKafka: .notKafka
        case .wrongCredentials, .authenticationFailed: .saslAuthenticationFailed
        case .saslMechanismNotEnabled: .saslMechanismNotEnabled
        case .saslNotOnListener: .saslNotOnListener
        }
    }

    /// What happened, naming the address (no advice: see the type's note).
    public var message: String {
        let tlsFailed = "TLS handshake with \(address) failed"
        switch cause {
        case .refused:
            return "nothing listens at \(address) (connection refused)"
        case .unresolvable:
            return "the host name \"\(host)\" of \(address) does not resolve"
        case .noAnswer(let timeoutMs):
            return "no answer from Kafka at \(address) within \(timeoutMs / 1000) s"
        case .certificateRejected(let failure, _):
            switch failure.kind {
            case .unknownCA: return "\(tlsFailed): the broker certificate is not signed by a trusted CA (\(failure.reason))"
            case .hostnameMismatch: return "\(tlsFailed): the broker certificate is not valid for \"\(host)\" (\(failure.reason))"
            case .expired: return "\(tlsFailed): the broker certificate has expired"
            case .notYetValid: return "\(tlsFailed): the broker certificate is not valid yet"
            case .other: return "\(tlsFailed): the broker certificate was rejected (\(failure.reason))"
            }
        case .tlsHandshakeFailed:
            return tlsFailed
        case .tlsClientOnPlaintextListener:
            return "\(address) does not speak TLS: logtop connects with \(securityProtocol.rawValue.uppercased()) but that listener is plaintext"
        case .plaintextClientOnTLSListener:
            return "\(address) expects TLS, but logtop connected without it (security.protocol=\(securityProtocol.rawValue))"
        case .notKafka:
            return "TLS with \(address) works, but the server there does not answer as Kafka"
        case .wrongCredentials(let user):
            return "SASL authentication \(user.map { "as \"\($0)\" " } ?? "")at \(address) failed: wrong user name or password"
        case .authenticationFailed:
            return "SASL authentication at \(address) failed"
        case .saslMechanismNotEnabled(let mechanism):
            return "the broker at \(address) does not accept the SASL mechanism \(mechanism)"
        case .saslNotOnListener:
            return "the listener at \(address) does not do SASL, but logtop sends credentials (security.protocol=\(securityProtocol.rawValue))"
        }
    }

    public var description: String { message }

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
        let proto = settings.effectiveSecurityProtocol
        func problem(_ cause: Cause, _ detail: String?) -> KafkaConnectionProblem {
            KafkaConnectionProblem(cause, address: address, securityProtocol: proto, detail: detail)
        }
        // A rejected certificate: the X.509 code says exactly why.
        if let failure = tlsFailures.last {
            let ca = settings.extra["ssl.ca.location"] ?? settings.sslCALocation
            let detail = Evidence.text(["SSL handshake failed", "certificate verify failed"]).latest(errors: errors, logs: logs)
            return problem(.certificateRejected(failure, caLocation: ca), detail ?? failure.description)
        }
        // Otherwise the first rule whose evidence was reported wins; the evidence is the detail.
        for rule in rules(settings) {
            if let evidence = rule.evidence.latest(errors: errors, logs: logs), let cause = rule.cause(evidence) {
                return problem(cause, evidence)
            }
        }
        let detail = errors.last(where: { $0.code != .allBrokersDown })?.reason ?? errors.last?.reason
        return problem(.noAnswer(timeoutMs: timeoutMs), detail)
    }

    /// What librdkafka reports for a cause: words in its error and log texts, or an error code.
    enum Evidence {
        /// Any of these, case-insensitively, in an error reason or a log message.
        case text([String])
        /// An error event with one of these codes.
        case code([KafkaErrorCode])

        /// The most recent text that is this evidence.
        func latest(errors: [KafkaErrorEvent], logs: [KafkaLogLine]) -> String? {
            switch self {
            case .text(let needles):
                (errors.map(\.reason) + logs.map(\.message))
                    .last { text in needles.contains { text.localizedCaseInsensitiveContains($0) } }
            case .code(let codes):
                errors.last { codes.contains($0.code) }?.reason
            }
        }
    }

    /// The causes recognised from librdkafka's reports, most specific first; `cause` may decline.
    static func rules(_ settings: KafkaSettings) -> [(evidence: Evidence, cause: (String) -> Cause?)] {
        [
            (.text(["wrong version number", "packet length too long", "connecting to a PLAINTEXT broker listener",
                    "record layer failure", "unexpected eof while reading"]), { _ in .tlsClientOnPlaintextListener }),
            (.text(["connecting to a SSL listener"]), { _ in .plaintextClientOnTLSListener }),
            (.text(["Unsupported SASL mechanism"]), { _ in .saslMechanismNotEnabled(mechanism: settings.effectiveSASLMechanism) }),
            (.text(["Illegal SASL state", "SASL Handshake not supported"]), { _ in .saslNotOnListener }),
            (.text(["SASL authentication error", "Authentication failed", "Invalid username or password",
                    "check client PLAIN credentials", "check client SCRAM"]),
             { _ in .wrongCredentials(user: settings.extra["sasl.username"] ?? settings.saslUsername) }),
            (.code([.authentication, .saslAuthenticationFailed]), { _ in .authenticationFailed }),
            (.text(["SSL handshake failed", "certificate verify failed", "SSL routines"]),
             { .tlsHandshakeFailed(certificateVerifyFailed: $0.contains("certificate verify failed")) }),
            (.text(["Connection refused"]), { _ in .refused }),
            (.text(["Failed to resolve"]), { _ in .unresolvable }),
            (.code([.resolve]), { _ in .unresolvable }),
            (.text(["might be caused by broker version"]), { _ in settings.effectiveSecurityProtocol.usesTLS ? .notKafka : nil }),
        ]
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
