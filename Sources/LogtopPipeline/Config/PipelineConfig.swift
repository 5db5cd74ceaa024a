import LogtopCore
import LogtopKafka

/// Where log lines come from.
public enum SourceSpec: Sendable, Equatable, CustomStringConvertible {
    /// The synthetic traffic generator.
    case generator
    /// A file, read once from the start to its end (gzip-compressed files are decompressed).
    case file(String)
    /// A file followed like `tail -F`: kept open as it grows, across rotation (rename or truncation);
    /// it may not exist yet. Starts at its end unless `fromStart`. Never ends by itself.
    case followedFile(String, fromStart: Bool)
    /// Standard input, until end of input.
    case stdin
    /// Newline-delimited lines read from a TCP connection to `host:port`, reconnecting with back-off
    /// whenever the peer goes away. Never ends by itself.
    case tcp(host: String, port: UInt16)
    /// Nothing: analyse what other processes produce into the topic.
    case none

    /// Parses `generator`, `file:PATH`, `stdin` (or `-`), `tcp://HOST:PORT`, `none`.
    ///
    /// With `follow`, a `file:PATH` is followed (`tail -F`), from its start when `fromStart` is true,
    /// else from its end; a gzip-compressed file (named `*.gz`) is read once even then, since a
    /// compressed rotated log no longer grows.
    public init?(parsing text: String, follow: Bool = false, fromStart: Bool? = nil) {
        switch text {
        case "generator", "gen": self = .generator
        case "stdin", "-": self = .stdin
        case "none": self = .none
        default:
            if text.hasPrefix("tcp://") {
                guard let (host, port) = Self.hostPort(String(text.dropFirst(6))) else { return nil }
                self = .tcp(host: host, port: port)
                return
            }
            guard text.hasPrefix("file:"), text.count > 5 else { return nil }
            let path = String(text.dropFirst(5))
            if follow && !path.hasSuffix(".gz") {
                self = .followedFile(path, fromStart: fromStart ?? false)
            } else {
                self = .file(path)
            }
        }
    }

    /// Splits `HOST:PORT` or `[IPv6]:PORT`; the port must be 1-65535 unless `allowZero`.
    public static func hostPort(_ text: String, allowZero: Bool = false) -> (String, UInt16)? {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") { return nil }  // bare IPv6 needs brackets
        }
        guard !host.isEmpty, !portText.isEmpty, portText.allSatisfy(\.isASCII), let port = UInt16(portText),
              port > 0 || allowZero else { return nil }
        return (String(host), port)
    }

    /// Finite sources end on their own (a file without follow, stdin).
    public var isFinite: Bool {
        switch self {
        case .file, .stdin: return true
        case .generator, .none, .followedFile, .tcp: return false
        }
    }

    /// The name the records of this source carry in the `logtop-source` header.
    public var description: String {
        switch self {
        case .generator: return "generator"
        case .file(let p), .followedFile(let p, _): return "file:\(p)"
        case .stdin: return "stdin"
        case .tcp(let host, let port): return host.contains(":") ? "tcp://[\(host)]:\(port)" : "tcp://\(host):\(port)"
        case .none: return "none"
        }
    }
}

/// Settings of the synthetic traffic generator.
public struct GeneratorConfig: Sendable, Equatable {
    public var rate: Double = 200
    public var seed: UInt64 = 1
    public var scenario: TrafficScenario?
    /// Stop after this many lines (`logtop generate --count`); `nil`: run until stopped.
    public var count: Int?

    public init(rate: Double = 200, seed: UInt64 = 1, scenario: TrafficScenario? = nil, count: Int? = nil) {
        self.rate = rate
        self.seed = seed
        self.scenario = scenario
        self.count = count
    }
}

/// How the analyzer of a pipeline works.
public enum AnalysisMode: Sendable, Equatable {
    /// Consume `logs` and analyse here (one analyzer, or several each seeing only its partitions).
    case local
    /// Scale-out member (`logtop analyze`): consume `logs` in the group, publish per-second partial
    /// aggregates of each partition to the metrics topic; no alerts, no view.
    case member
    /// Scale-out view (`--source none`): merge the members' partial aggregates from the metrics
    /// topic into one engine, which evaluates the alerts.
    case merged
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
    /// Settings of the analysis engine. `finiteInput` follows the sources (a local analysis of files
    /// and standard input only), so that report intervals of finite input stay open by default for
    /// `EngineConfig.finiteLateness` (see `EngineConfig.reportLateness`, docs/event-time.md).
    public var engine: EngineConfig {
        get {
            var e = engineSettings
            e.finiteInput = mode == .local && !sources.isEmpty && sources.allSatisfy(\.isFinite)
            return e
        }
        set { engineSettings = newValue }
    }
    private var engineSettings = EngineConfig()
    /// Default `--lateness` of a merged view, seconds: members publish every second and a crashed
    /// member's partitions resume seconds later, so a view waits longer before it closes a second than
    /// a local analyzer (`EngineConfig().lateness`).
    public static let mergedViewLateness = 15
    /// Lines produced but not yet analysed before sources wait (back-pressure).
    public var maxBacklog = 50_000
    /// The same bound in bytes of lines (at the run's average line length so far): 4 MiB keeps what
    /// the analyzer has not read under the embedded cluster's retention (5 MiB a partition, counted
    /// after compression) even when every line goes to one partition and does not compress.
    public var maxBacklogBytes = 4 << 20
    /// How often the analyzer publishes a fresh snapshot, ms.
    public var snapshotIntervalMs = 200
    /// Offsets are committed this often (and at shutdown), ms.
    public var commitIntervalMs = 1000
    /// Run the analyzer (consumer). `logtop generate` only produces, so it never joins the group.
    public var analyze = true
    /// Create `logs`, `alerts` and the metrics topic when missing.
    public var createTopics = true
    /// What the analyzer does (when `analyze` is set).
    public var mode = AnalysisMode.local
    /// Topic of the scale-out members' partial aggregates (created with as many partitions as `logs`).
    public var metricsTopic = "logtop.metrics"
    /// Id of this process as a scale-out member; `nil`: host name and process id.
    public var memberID: String?
    /// How often a member publishes its partial aggregates, ms.
    public var publishIntervalMs = 1000
    /// Publish alert events to the alerts topic (off for a second view of the same traffic).
    public var publishAlerts = true
    /// How often a followed file is checked for new data, rotation or truncation, ms.
    public var followPollMs = 200
    /// First and longest wait before a TCP source reconnects (the wait doubles after each failure), ms.
    public var reconnectInitialMs = 250
    public var reconnectMaxMs = 5_000
    /// The run ends once its finite sources are analysed (`--batch`), so nothing is left idle after a
    /// replay: a replay of files at full speed on the embedded cluster then fetches with a short wait
    /// (`Pipeline.consumerOverrides`).
    public var endsWithItsSources = false
    /// Paced replay of `file:` sources (`--replay-speed`), times real time: each line goes when a
    /// clock started at the first line's time reaches its own, and the engine's event time follows
    /// that clock (alerts fire in log time, as they would have). `nil`: as fast as possible.
    public var replaySpeed: Double?
    /// Only requests matching this count in the reports and the live figures (`--filter`); the alert
    /// rules still see all traffic (`FilteredView`).
    public var filter: LineFilter?
    /// `HOST:PORT` to serve Prometheus metrics on (`GET /metrics`), or nil for none.
    public var metricsListen: String?

    public init() {}
}
