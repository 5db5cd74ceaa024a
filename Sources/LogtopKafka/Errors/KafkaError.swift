/// An error raised by the Kafka layer.
///
/// `description` is meant to be shown to a user as is: it names the offending
/// configuration key or broker address and, when a likely cause is known, a hint.
/// It never contains the value of a secret property.
public struct KafkaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What failed.
    public enum Kind: String, Sendable, Equatable {
        /// A configuration property was rejected (`key` names it).
        case configuration
        /// librdkafka refused to create a client handle.
        case clientCreation
        /// No broker could be reached at the configured address.
        case unreachable
        /// A topic could not be created or checked.
        case topicCreation
        /// A record could not be enqueued for production.
        case produce
        /// Consuming failed (subscribe, poll).
        case consume
        /// Offsets could not be stored or committed.
        case commit
        /// The client has been closed.
        case closed
        /// The embedded (mock) cluster could not be started or driven.
        case embeddedCluster
        /// The client hit a fatal error and must be recreated.
        case fatal
    }

    /// What failed.
    public var kind: Kind
    /// Human-readable explanation (never contains secret values).
    public var message: String
    /// The librdkafka error code, when there is one.
    public var code: KafkaErrorCode?
    /// The configuration key involved, for `.configuration` errors.
    public var key: String?
    /// A suggestion for the most likely cause, when one is known.
    public var hint: String?
    /// For `.unreachable`: the classified cause (refused, TLS, SASL...), when known. Its fix is worded by
    /// the caller (`hint` is then set where the error is shown).
    public var problem: KafkaConnectionProblem?
    /// For `.configuration`: settings refused because they would expose a secret (see `hint` as for `problem`).
    public var refusal: KafkaSettings.Refusal?

    public init(kind: Kind, message: String, code: KafkaErrorCode? = nil, key: String? = nil, hint: String? = nil,
                problem: KafkaConnectionProblem? = nil, refusal: KafkaSettings.Refusal? = nil) {
        self.kind = kind
        self.message = message
        self.code = code
        self.key = key
        self.hint = hint
        self.problem = problem
        self.refusal = refusal
    }

    public var description: String {
        var text = message
        if let code, !message.contains(code.name) { text += " [\(code.name)]" }
        if let hint { text += " (hint: \(hint))" }
        return text
    }

    static let closedClient = KafkaError(kind: .closed, message: "the Kafka client is closed")
}
