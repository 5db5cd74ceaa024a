import Foundation
import LogtopCore
import LogtopKafka

/// What the sinks show about the pipeline itself: Kafka, sources, generator.
public struct PipelineStatus: Sendable {
    /// `embedded` or the configured bootstrap servers.
    public var broker: String
    public var embedded: Bool
    /// False once a broker error says the cluster cannot be reached.
    public var connected: Bool
    public var producer: ProducerStats
    public var consumer: ConsumerStats
    /// Lines our sources handed to Kafka, and lines of ours the analyzer has taken.
    public var ownProduced: Int
    public var ownConsumed: Int
    /// Alert records published to the alerts topic.
    public var alertsPublished: Int
    /// Alert events not published because the alerts topic already had them (records analysed again
    /// after a restart or rebalance fire the same alerts).
    public var alertsReplayed: Int = 0
    public var alertsFailed: Int
    public var generator: GeneratorState
    /// Sources currently held back because the analyzer is behind.
    public var backPressured: Bool
    /// Sources still running.
    public var activeSources: Int
    /// The latest error librdkafka reported (producer, consumer or alert producer): its `description`
    /// is for display, `isFatal` says the client cannot go on, `time` when it was reported.
    public var lastKafkaError: KafkaErrorEvent?
    public var snapshot: Snapshot
    /// Every source with its lines produced and what it is doing (`following`, `connected`,
    /// `waiting for analyzer`...), in the order they were given.
    public var sources: [SourceStatus] = []
    /// What this process did as a scale-out member (`logtop analyze`).
    public var member: MemberStatus?
    /// The merged view's bookkeeping and its contributing analyzers (`--source none`).
    public var merge: MergeStatus?
    /// The paced replay of the file sources (`--replay-speed`), if any.
    public var replay: ReplayStatus? = nil

    /// Lines produced by our sources and not analysed yet.
    public var backlog: Int { max(0, ownProduced - ownConsumed) }

    /// Names of the sources held back now (by the analyzer's backlog or a full Kafka queue).
    public var waitingSources: [String] { sources.filter { $0.waiting != nil }.map(\.name) }
}

/// The generator's state, changeable at runtime.
public struct GeneratorState: Sendable, Equatable {
    public var enabled: Bool
    public var rate: Double
    public var paused: Bool
    public var scenario: TrafficScenario?
    /// Wall time (Unix seconds) when a timed scenario ends.
    public var scenarioUntil: Int64?
    public var generated: Int

    public init(enabled: Bool = false, rate: Double = 200, paused: Bool = false, scenario: TrafficScenario? = nil,
                scenarioUntil: Int64? = nil, generated: Int = 0) {
        self.enabled = enabled
        self.rate = rate
        self.paused = paused
        self.scenario = scenario
        self.scenarioUntil = scenarioUntil
        self.generated = generated
    }
}
