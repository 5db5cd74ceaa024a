/// What a reachable cluster reported in its metadata.
public struct KafkaClusterInfo: Sendable, Equatable {
    /// A broker as advertised by the cluster.
    public struct Broker: Sendable, Equatable {
        public var id: Int32
        public var host: String
        public var port: Int
    }

    /// The brokers of the cluster.
    public var brokers: [Broker]
    /// The broker that answered.
    public var answeringBroker: String
}
