import ArgumentParser
import Foundation
import LogtopKafka
import LogtopPipeline

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

    /// The topic names and partition count (`--topic`, `--alerts-topic`, `--metrics-topic`,
    /// `--partitions`) are the main command's: ArgumentParser gives them to it even after `broker`.
    @OptionGroup var topics: TopicOptions

    @Option(name: .customLong("broker-count"), help: "Number of brokers in the cluster.")
    var brokerCount = 1

    @Option(name: .customLong("topic-spec"), help: ArgumentHelp("Create another topic, NAME:PARTITIONS (repeatable).", valueName: "name:n"))
    var extraTopics: [String] = []

    @Option(name: .customLong("inject-errors"), help: ArgumentHelp(
        "Answer the next requests of one kind with a broker error, REQUEST=ERROR[*COUNT] (repeatable), e.g. produce=NOT_LEADER_FOR_PARTITION*3 or produce=OUT_OF_ORDER_SEQUENCE_NUMBER (fatal for an idempotent producer): to see how clients cope.",
        valueName: "request=error"))
    var injectErrors: [String] = []

    func run() throws {
        let injections = try injectErrors.map { spec -> InjectedRequestErrors in
            guard let injection = InjectedRequestErrors(parsing: spec) else {
                throw ValidationError("--inject-errors \(spec): expected REQUEST=ERROR[*COUNT] with REQUEST one of \(InjectedRequestErrors.apiNames.keys.sorted().joined(separator: ", ")) and ERROR a Kafka error name such as NOT_LEADER_FOR_PARTITION")
            }
            return injection
        }
        installSignalHandlers()
        var config = PipelineConfig()
        config.topic = topics.topic
        config.alertsTopic = topics.alertsTopic
        config.metricsTopic = topics.metricsTopic
        config.partitions = max(1, topics.partitions)
        var specs = config.topics
        for spec in extraTopics {
            let parts = spec.split(separator: ":")
            guard parts.count == 2, let n = Int(parts[1]), n > 0 else { throw ValidationError("--topic-spec \(spec): expected NAME:PARTITIONS") }
            specs.append(.init(name: String(parts[0]), partitions: n))
        }
        let cluster: EmbeddedKafkaCluster
        do { cluster = try EmbeddedKafkaCluster.hosting(specs, brokers: brokerCount) } catch { fail("\(error)") }
        for injection in injections {
            do { try cluster.pushRequestErrors(injection.api, injection.errors) } catch { fail("\(error)") }
        }
        FileHandle.standardError.write(Data("embedded Kafka broker at \(cluster.bootstrapServers)\n".utf8))
        FileHandle.standardError.write(Data("logtop broker: in-memory development broker (no persistence, ~5 MiB retention per partition); use --brokers \(cluster.bootstrapServers) --no-create-topics; topics: \(specs.map { "\($0.name)[\($0.partitions)]" }.joined(separator: ", ")); Ctrl-C stops it\n".utf8))
        while !stopSignal.load(ordering: .relaxed) { usleep(100_000) }
        cluster.close()
    }
}
