import ArgumentParser
import Foundation
import LogtopKafka

/// `logtop broker`: hosts the embedded in-process Kafka cluster for other processes.
struct Broker: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Host librdkafka's in-memory development broker for other logtop processes.",
        discussion: """
        Prints `embedded Kafka broker at 127.0.0.1:PORT` and serves until Ctrl-C or SIGTERM. It is an \
        in-memory DEVELOPMENT broker (librdkafka's mock cluster): no persistence, no TLS/SASL, and small \
        retention (about 5 MiB per partition). Point other processes at it with \
        --brokers 127.0.0.1:PORT --no-create-topics (it creates the topics itself).
        """)

    @Option(help: "Topic of access-log lines to create.")
    var topic = "logs"

    @Option(name: .customLong("alerts-topic"), help: "Topic of alert events to create.")
    var alertsTopic = "alerts"

    @Option(name: .customLong("metrics-topic"), help: "Topic of the scale-out partial aggregates to create (as many partitions as the logs topic).")
    var metricsTopic = "logtop.metrics"

    @Option(help: "Partitions of the logs topic.")
    var partitions = 8

    @Option(help: "Number of brokers in the cluster.")
    var brokers = 1

    @Option(name: .customLong("topic-spec"), help: ArgumentHelp("Create another topic, NAME:PARTITIONS (repeatable).", valueName: "name:n"))
    var extraTopics: [String] = []

    func run() throws {
        installSignalHandlers()
        let cluster: EmbeddedKafkaCluster
        do { cluster = try EmbeddedKafkaCluster(brokers: max(1, brokers)) } catch { fail("\(error)") }
        var topics = [(topic, max(1, partitions)), (alertsTopic, 1), (metricsTopic, max(1, partitions))]
        for spec in extraTopics {
            let parts = spec.split(separator: ":")
            guard parts.count == 2, let n = Int(parts[1]), n > 0 else { throw ValidationError("--topic-spec \(spec): expected NAME:PARTITIONS") }
            topics.append((String(parts[0]), n))
        }
        for (name, n) in topics {
            do { _ = try cluster.createTopic(name, partitions: n) } catch { fail("\(error)") }
        }
        FileHandle.standardError.write(Data("embedded Kafka broker at \(cluster.bootstrapServers)\n".utf8))
        FileHandle.standardError.write(Data("logtop broker: in-memory development broker (no persistence, ~5 MiB retention per partition); use --brokers \(cluster.bootstrapServers) --no-create-topics; topics: \(topics.map { "\($0.0)[\($0.1)]" }.joined(separator: ", ")); Ctrl-C stops it\n".utf8))
        while !stopSignal.load(ordering: .relaxed) { usleep(100_000) }
        cluster.close()
    }
}
