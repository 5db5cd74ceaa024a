import ArgumentParser
import Foundation
import LogtopCore
import LogtopKafka
import LogtopPipeline

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a headless analyzer member of the consumer group: publish partial aggregates for a merged view.",
        discussion: """
        Consumes the partitions of the logs topic that the group assigns to it, aggregates them per \
        second of event time and publishes the partial aggregates, with the offset ranges they cover, \
        to the metrics topic (default logtop.metrics) every --publish-interval. Offsets are committed \
        once the partials are delivered; a partition's next owner starts after the last partial \
        published for it, so joins, leaves and crashes neither lose nor double-count a record. \
        View the merged result with `logtop --source none` (dashboard) or `logtop --batch --source none`.

        Example (see scripts/scale-demo.sh):
          logtop broker &                                      # or a real cluster
          logtop generate --brokers 127.0.0.1:PORT --no-create-topics --rate 5000 &
          logtop analyze --brokers 127.0.0.1:PORT --no-create-topics --member a &
          logtop analyze --brokers 127.0.0.1:PORT --no-create-topics --member b &
          logtop --source none --brokers 127.0.0.1:PORT --no-create-topics
        """)

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var topics: TopicOptions

    @Option(help: "Id of this member in the merged view. Default: host name and process id.")
    var member: String?

    @Option(name: .customLong("publish-interval"), help: "How often partial aggregates are published (e.g. 1s, 0.5s).")
    var publishInterval = "1s"

    @OptionGroup var analysis: AnalysisOptions

    func run() throws {
        var config = try pipelineConfig(kafka, topics)
        config.sources = []
        config.analyze = true
        config.mode = .member
        config.memberID = member
        try analysis.apply(to: &config)
        guard let every = DurationParser.seconds(publishInterval), every >= 0.05 else {
            throw ValidationError("--publish-interval \(publishInterval): expected a duration such as 1s")
        }
        config.publishIntervalMs = Int(every * 1000)
        let limit = try analysis.limit()
        installSignalHandlers()
        let pipeline: Pipeline
        do { pipeline = try Pipeline(config: config) } catch { fail("\(error)") }
        MemberRunner(pipeline: pipeline, duration: limit, stopRequested: { stopSignal.load(ordering: .relaxed) }).run()
    }
}
