/// A Kafka protocol request type (ApiKey), used to target fault injection on
/// the embedded cluster.
public struct KafkaApiKey: RawRepresentable, Hashable, Sendable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }

    public static let produce = KafkaApiKey(rawValue: 0)
    public static let fetch = KafkaApiKey(rawValue: 1)
    public static let listOffsets = KafkaApiKey(rawValue: 2)
    public static let metadata = KafkaApiKey(rawValue: 3)
    public static let offsetCommit = KafkaApiKey(rawValue: 8)
    public static let offsetFetch = KafkaApiKey(rawValue: 9)
    public static let findCoordinator = KafkaApiKey(rawValue: 10)
    public static let joinGroup = KafkaApiKey(rawValue: 11)
    public static let heartbeat = KafkaApiKey(rawValue: 12)
    public static let leaveGroup = KafkaApiKey(rawValue: 13)
    public static let syncGroup = KafkaApiKey(rawValue: 14)
    public static let apiVersions = KafkaApiKey(rawValue: 18)
    public static let initProducerId = KafkaApiKey(rawValue: 22)
}
