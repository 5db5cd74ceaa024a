import ArgumentParser

/// Topics, consumer group and partitions.
struct TopicOptions: ParsableArguments {
    @Option(help: "Topic of access-log lines.")
    var topic = "logs"

    @Option(name: .customLong("alerts-topic"), help: "Topic alert events are published to.")
    var alertsTopic = "alerts"

    @Option(help: "Consumer group of the analyzer.")
    var group = "logtop"

    @Option(name: .customLong("metrics-topic"), help: "Topic of the partial aggregates that `logtop analyze` members publish and the merged view reads.")
    var metricsTopic = "logtop.metrics"

    @Option(help: "Partitions of the logs and metrics topics when logtop creates them.")
    var partitions = 8

    @Flag(name: .customLong("no-create-topics"), help: "Do not create the topics (they exist already; needed against `logtop broker`, whose in-memory cluster has no CreateTopics).")
    var noCreateTopics = false
}
