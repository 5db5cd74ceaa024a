import LogtopCore

/// Everything the dashboard shows at one moment, filled by the wiring from the pipeline's status every
/// frame. The dashboard never sees Kafka itself: only these values.
public struct DashboardFeed: Sendable, Equatable {
    /// The analyzer's live view: window statistics, rules, firing alerts and recent alert events.
    public var snapshot: Snapshot
    /// Bootstrap servers, or the embedded cluster's address.
    public var broker: String
    public var embedded: Bool
    public var connected: Bool
    /// Producer accounting of the log lines sent to Kafka.
    public var produced: Int
    public var delivered: Int
    public var failed: Int
    public var inFlight: Int
    /// Delivery failures and rejections by librdkafka error name.
    public var failuresByReason: [String: Int]
    /// Records in the logs topic not yet read by the analyzer.
    public var consumerLag: Int64
    /// Records skipped by the consumer (e.g. deleted by retention before being read).
    public var lostLines: Int64
    /// Alert events written to the alerts topic, and those that could not be.
    public var alertsPublished: Int
    public var alertsFailed: Int
    public var generator: GeneratorInfo
    /// Sources are waiting for the analyzer to catch up.
    public var backPressured: Bool
    public var lastKafkaError: String?
    /// A passing problem to show (a source that failed), if any.
    public var notice: String?
    /// Wall time of this feed (Unix seconds).
    public var now: Int64
    /// Every source other than the generator: name, lines handed to Kafka, what it is doing.
    public var sources: [SourceInfo] = []
    /// Set for a merged view (`--source none` with `logtop analyze` members): who contributes.
    public var merged: MergedInfo?
    /// Set for a paced replay of files (`--replay-speed`): the log's time and the speed.
    public var replay: ReplayInfo?

    /// The analyzers of a merged view and the merge's bookkeeping.
    public struct MergedInfo: Sendable, Equatable {
        public struct Analyzer: Sendable, Equatable {
            public var name: String
            public var lag: Int64
            /// Publishing lately; otherwise `silentSeconds` since its last partial.
            public var active: Bool
            public var silentSeconds: Int
            public var partitions: [Int32]

            public init(name: String, lag: Int64, active: Bool = true, silentSeconds: Int = 0, partitions: [Int32] = []) {
                self.name = name
                self.lag = lag
                self.active = active
                self.silentSeconds = silentSeconds
                self.partitions = partitions
            }
        }

        public var analyzers: [Analyzer]
        /// Records no partial covered (missing from the view) and records counted twice.
        public var uncovered: Int64
        public var doubleCounted: Int64

        public init(analyzers: [Analyzer], uncovered: Int64 = 0, doubleCounted: Int64 = 0) {
            self.analyzers = analyzers
            self.uncovered = uncovered
            self.doubleCounted = doubleCounted
        }
    }

    /// A source as the dashboard shows it.
    public struct SourceInfo: Sendable, Equatable {
        public var name: String
        public var lines: Int
        /// `following`, `waiting for file`, `connected`, `waiting for analyzer`, `done`...
        public var state: String
        public var waiting: Bool

        public init(name: String, lines: Int, state: String, waiting: Bool = false) {
            self.name = name
            self.lines = lines
            self.state = state
            self.waiting = waiting
        }
    }

    public init(snapshot: Snapshot = .empty, broker: String = "", embedded: Bool = true, connected: Bool = true,
                produced: Int = 0, delivered: Int = 0, failed: Int = 0, inFlight: Int = 0,
                failuresByReason: [String: Int] = [:], consumerLag: Int64 = 0, lostLines: Int64 = 0,
                alertsPublished: Int = 0, alertsFailed: Int = 0, generator: GeneratorInfo = GeneratorInfo(),
                backPressured: Bool = false, lastKafkaError: String? = nil, notice: String? = nil, now: Int64 = 0,
                sources: [SourceInfo] = []) {
        self.sources = sources
        self.snapshot = snapshot
        self.broker = broker
        self.embedded = embedded
        self.connected = connected
        self.produced = produced
        self.delivered = delivered
        self.failed = failed
        self.inFlight = inFlight
        self.failuresByReason = failuresByReason
        self.consumerLag = consumerLag
        self.lostLines = lostLines
        self.alertsPublished = alertsPublished
        self.alertsFailed = alertsFailed
        self.generator = generator
        self.backPressured = backPressured
        self.lastKafkaError = lastKafkaError
        self.notice = notice
        self.now = now
    }

    /// The traffic generator as the dashboard shows it.
    public struct GeneratorInfo: Sendable, Equatable {
        /// False when the generator is not among the sources.
        public var enabled: Bool
        /// Lines per second asked for.
        public var rate: Double
        public var paused: Bool
        public var scenario: TrafficScenario?
        /// Seconds until the scenario ends (nil: until changed).
        public var scenarioSecondsLeft: Int?
        /// Lines generated in the run.
        public var generated: Int

        public init(enabled: Bool = true, rate: Double = 200, paused: Bool = false, scenario: TrafficScenario? = nil,
                    scenarioSecondsLeft: Int? = nil, generated: Int = 0) {
            self.enabled = enabled
            self.rate = rate
            self.paused = paused
            self.scenario = scenario
            self.scenarioSecondsLeft = scenarioSecondsLeft
            self.generated = generated
        }
    }
}
