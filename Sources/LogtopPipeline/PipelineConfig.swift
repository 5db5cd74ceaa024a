import LogtopCore
import LogtopKafka

/// Where log lines come from.
public enum SourceSpec: Sendable, Equatable, CustomStringConvertible {
    /// The synthetic traffic generator.
    case generator
    /// A file, read from the start to its end.
    case file(String)
    /// Standard input, until end of input.
    case stdin
    /// Nothing: analyse what other processes produce into the topic.
    case none

    /// Parses `generator`, `file:PATH`, `stdin` (or `-`), `none`.
    public init?(parsing text: String) {
        switch text {
        case "generator", "gen": self = .generator
        case "stdin", "-": self = .stdin
        case "none": self = .none
        default:
            guard text.hasPrefix("file:"), text.count > 5 else { return nil }
            self = .file(String(text.dropFirst(5)))
        }
    }

    /// Finite sources end on their own (a file without follow, stdin).
    public var isFinite: Bool {
        switch self {
        case .file, .stdin: return true
        case .generator, .none: return false
        }
    }

    public var description: String {
        switch self {
        case .generator: return "generator"
        case .file(let p): return "file:\(p)"
        case .stdin: return "stdin"
        case .none: return "none"
        }
    }
}

/// Settings of the synthetic traffic generator.
public struct GeneratorConfig: Sendable, Equatable {
    public var rate: Double = 200
    public var seed: UInt64 = 1
    public var scenario: TrafficScenario?

    public init(rate: Double = 200, seed: UInt64 = 1, scenario: TrafficScenario? = nil) {
        self.rate = rate
        self.seed = seed
        self.scenario = scenario
    }
}

/// Everything a pipeline run needs.
public struct PipelineConfig: Sendable {
    /// Cluster to use; `nil` starts the embedded in-process cluster.
    public var kafka: KafkaSettings?
    public var topic = "logs"
    public var alertsTopic = "alerts"
    public var group = "logtop"
    /// Partitions of the `logs` topic when logtop creates it.
    public var partitions = 8
    public var sources: [SourceSpec] = [.generator]
    public var generator = GeneratorConfig()
    public var engine = EngineConfig()
    /// Lines produced but not yet analysed before sources wait (back-pressure).
    public var maxBacklog = 50_000
    /// How often the analyzer publishes a fresh snapshot, ms.
    public var snapshotIntervalMs = 200
    /// Offsets are committed this often (and at shutdown), ms.
    public var commitIntervalMs = 1000
    /// Run the analyzer (consumer). `logtop generate` only produces, so it never joins the group.
    public var analyze = true
    /// Create `logs` and `alerts` when missing.
    public var createTopics = true

    public init() {}
}
