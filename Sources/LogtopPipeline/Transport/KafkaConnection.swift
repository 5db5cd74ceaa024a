import Foundation
import LogtopKafka

/// Where this run's Kafka is: a configured cluster (checked reachable, topics created when missing) or
/// the embedded in-process cluster started here with the topics already made.
struct KafkaConnection {
    let settings: KafkaSettings
    /// The embedded cluster, when this process hosts it (closed last).
    let cluster: EmbeddedKafkaCluster?
    /// `127.0.0.1:PORT` of the embedded cluster, or the configured bootstrap servers.
    let address: String

    var embedded: Bool { cluster != nil }

    /// Connects as `config` says; fails with the reason (unreachable broker, refused credentials...)
    /// within about 10 s.
    static func open(_ config: PipelineConfig) throws -> KafkaConnection {
        guard let kafka = config.kafka else {
            let cluster = try EmbeddedKafkaCluster.hosting(config.topics)
            return KafkaConnection(settings: cluster.settings(), cluster: cluster, address: cluster.bootstrapServers)
        }
        _ = try ConnectionAdvice.checkReachable(kafka, timeoutMs: 10_000)
        if config.createTopics {
            _ = try KafkaAdmin.ensureTopics(config.topics, settings: kafka)
        }
        return KafkaConnection(settings: kafka, cluster: nil, address: kafka.bootstrapServers ?? "?")
    }
}

extension PipelineConfig {
    /// The topics a run uses, with the partitions logtop gives them when it creates them: `logs` and
    /// the metrics topic alike (partition p of one feeds partition p of the other), one for `alerts`.
    public var topics: [KafkaAdmin.TopicSpec] {
        [.init(name: topic, partitions: partitions), .init(name: alertsTopic, partitions: 1),
         .init(name: metricsTopic, partitions: partitions)]
    }
}

extension EmbeddedKafkaCluster {
    /// Starts an embedded cluster of `brokers` brokers with `topics` created (`logtop broker`, and a
    /// run with no broker configured).
    public static func hosting(_ topics: [KafkaAdmin.TopicSpec], brokers: Int = 1) throws -> EmbeddedKafkaCluster {
        let cluster = try EmbeddedKafkaCluster(brokers: max(1, brokers))
        for topic in topics { _ = try cluster.createTopic(topic.name, partitions: topic.partitions) }
        return cluster
    }
}
