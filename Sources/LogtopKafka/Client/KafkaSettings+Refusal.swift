extension KafkaSettings {
    /// Why settings are refused before any connection: they would expose a secret. The facts only; the
    /// way to change the settings is worded where they come from (LogtopPipeline's `ConnectionAdvice`).
    public enum Refusal: Sendable, Equatable, CustomStringConvertible {
        /// A SASL/PLAIN password would be sent without TLS (`sasl_plaintext`), not allowed explicitly
        /// (`allowsPlaintextSASL`).
        case plaintextPassword
        /// SASL (PLAIN, SCRAM) with `securityProtocol` but no value for `missingKey` (`sasl.username`
        /// or `sasl.password`).
        case missingCredentials(securityProtocol: SecurityProtocol, missingKey: String)

        /// The configuration key at fault.
        public var key: String {
            switch self {
            case .plaintextPassword: "security.protocol"
            case .missingCredentials(_, let missingKey): missingKey
            }
        }

        public var description: String {
            switch self {
            case .plaintextPassword:
                "refusing to send the SASL/PLAIN password unencrypted (security.protocol=sasl_plaintext)"
            case .missingCredentials(let securityProtocol, _):
                "security.protocol=\(securityProtocol.rawValue) needs a SASL user name and password"
            }
        }
    }

    /// Why these settings are refused, nil when they are not: a SASL/PLAIN password sent without TLS
    /// (unless `allowsPlaintextSASL`), SASL without a user name or password.
    public var refusal: Refusal? {
        let proto = effectiveSecurityProtocol
        guard proto.usesSASL else { return nil }
        if proto == .saslPlaintext && effectiveSASLMechanism == "PLAIN" && !allowsPlaintextSASL { return .plaintextPassword }
        guard effectiveSASLMechanism == "PLAIN" || effectiveSASLMechanism.hasPrefix("SCRAM") else { return nil }
        let props = commonProperties().merging(extra) { _, new in new }
        if (props["sasl.username"] ?? "").isEmpty { return .missingCredentials(securityProtocol: proto, missingKey: "sasl.username") }
        if (props["sasl.password"] ?? "").isEmpty { return .missingCredentials(securityProtocol: proto, missingKey: "sasl.password") }
        return nil
    }

    /// Throws a `.configuration` error carrying the `refusal`, if there is one.
    public func validate() throws(KafkaError) {
        guard let refusal else { return }
        throw KafkaError(kind: .configuration, message: refusal.description, key: refusal.key, refusal: refusal)
    }
}
