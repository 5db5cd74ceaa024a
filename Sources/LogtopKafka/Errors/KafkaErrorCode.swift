import CRdKafka

/// A librdkafka error code (`rd_kafka_resp_err_t`): negative values are local
/// client errors (`__TRANSPORT`, `__ALL_BROKERS_DOWN`, ...), positive values are
/// Kafka protocol errors returned by a broker (`NOT_LEADER_FOR_PARTITION`, ...).
public struct KafkaErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    init(_ err: rd_kafka_resp_err_t) { self.rawValue = err.rawValue }

    var rdKafka: rd_kafka_resp_err_t { rd_kafka_resp_err_t(rawValue: rawValue) }

    /// The symbolic name, e.g. "_ALL_BROKERS_DOWN" or "NOT_LEADER_FOR_PARTITION".
    public var name: String { String(cString: rd_kafka_err2name(rdKafka)) }

    /// librdkafka's human-readable explanation.
    public var explanation: String { String(cString: rd_kafka_err2str(rdKafka)) }

    public var description: String { name }

    /// No error.
    public static let noError = KafkaErrorCode(RD_KAFKA_RESP_ERR_NO_ERROR)
    /// Local: the producer queue is full.
    public static let queueFull = KafkaErrorCode(RD_KAFKA_RESP_ERR__QUEUE_FULL)
    /// Local: broker transport failure (connection refused, reset, ...).
    public static let transport = KafkaErrorCode(RD_KAFKA_RESP_ERR__TRANSPORT)
    /// Local: every configured broker is down.
    public static let allBrokersDown = KafkaErrorCode(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
    /// Local: host name resolution failed.
    public static let resolve = KafkaErrorCode(RD_KAFKA_RESP_ERR__RESOLVE)
    /// Local: SASL authentication failed.
    public static let authentication = KafkaErrorCode(RD_KAFKA_RESP_ERR__AUTHENTICATION)
    /// Local: TLS handshake or certificate failure.
    public static let ssl = KafkaErrorCode(RD_KAFKA_RESP_ERR__SSL)
    /// Local: timed out.
    public static let timedOut = KafkaErrorCode(RD_KAFKA_RESP_ERR__TIMED_OUT)
    /// Local: message timed out before delivery (`message.timeout.ms`).
    public static let messageTimedOut = KafkaErrorCode(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)
    /// Local: a fatal error was raised (see `KafkaErrorEvent.isFatal`).
    public static let fatal = KafkaErrorCode(RD_KAFKA_RESP_ERR__FATAL)
    /// Local: the consumer's offset was reset because of `auto.offset.reset=error`.
    public static let autoOffsetReset = KafkaErrorCode(RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET)
    /// Local: the feature is not supported by the broker.
    public static let unsupportedFeature = KafkaErrorCode(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE)
    /// Local: invalid argument.
    public static let invalidArgument = KafkaErrorCode(RD_KAFKA_RESP_ERR__INVALID_ARG)
    /// Local: the operation is not allowed in the current state.
    public static let state = KafkaErrorCode(RD_KAFKA_RESP_ERR__STATE)
    /// Local: no offset to commit.
    public static let noOffset = KafkaErrorCode(RD_KAFKA_RESP_ERR__NO_OFFSET)
    /// Local: the instance is being or has been destroyed.
    public static let destroyed = KafkaErrorCode(RD_KAFKA_RESP_ERR__DESTROY)

    /// Broker: requested offset is out of range (usually trimmed by retention).
    public static let offsetOutOfRange = KafkaErrorCode(RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE)
    /// Broker: leader not available.
    public static let leaderNotAvailable = KafkaErrorCode(RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE)
    /// Broker: not leader for partition.
    public static let notLeaderForPartition = KafkaErrorCode(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION)
    /// Broker: request timed out.
    public static let requestTimedOut = KafkaErrorCode(RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT)
    /// Broker: not enough in-sync replicas.
    public static let notEnoughReplicas = KafkaErrorCode(RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS)
    /// Broker: unknown topic or partition.
    public static let unknownTopicOrPartition = KafkaErrorCode(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
    /// Broker: the topic already exists.
    public static let topicAlreadyExists = KafkaErrorCode(RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
    /// Broker: SASL authentication failed.
    public static let saslAuthenticationFailed = KafkaErrorCode(RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED)
    /// Broker: topic authorization failed.
    public static let topicAuthorizationFailed = KafkaErrorCode(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)
    /// Broker: the group is rebalancing (a commit is refused meanwhile).
    public static let rebalanceInProgress = KafkaErrorCode(RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS)
    /// Broker: the group coordinator is not available.
    public static let coordinatorNotAvailable = KafkaErrorCode(RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE)
    /// Broker: this broker is not the group's coordinator (it moved).
    public static let notCoordinator = KafkaErrorCode(RD_KAFKA_RESP_ERR_NOT_COORDINATOR)
    /// Broker: the group coordinator is loading.
    public static let coordinatorLoadInProgress = KafkaErrorCode(RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS)
    /// Broker: message larger than the broker accepts.
    public static let messageTooLarge = KafkaErrorCode(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
}
