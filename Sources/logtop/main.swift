import ArgumentParser
import Foundation
import LogtopCore
import LogtopKafka
import LogtopPipeline
import Synchronization

/// Set by SIGINT/SIGTERM/SIGHUP handlers; read by the run loops.
let stopSignal = Atomic<Bool>(false)

func installSignalHandlers() {
    // A parent may have started us with these signals blocked (threads of libdispatch block them, and
    // children inherit the mask): unblock them, or Ctrl-C and SIGTERM would never reach us.
    var set = sigset_t()
    sigemptyset(&set)
    for sig in [SIGINT, SIGTERM, SIGHUP] {
        sigaddset(&set, sig)
        signal(sig) { _ in stopSignal.store(true, ordering: .relaxed) }
    }
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("logtop: error: \(message)\n".utf8))
    exit(1)
}

struct Logtop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logtop",
        abstract: "Live monitor for HTTP access logs flowing through Apache Kafka.",
        discussion: """
        Sources put access-log lines into the Kafka topic `logs`; the analyzer consumes them, computes \
        windowed statistics, raises alerts (published to the topic `alerts`) and shows them.

        With no broker configured (--brokers, KAFKA_BOOTSTRAP_SERVERS in the environment or in .env), \
        logtop starts librdkafka's embedded in-process Kafka cluster, so it works on a fresh machine.
        Precedence of settings: flags > environment > .env file > defaults.

        Examples:
          logtop --batch --duration 5m                 generated traffic, stats to results.txt
          logtop --batch --source file:access.log      analyse a file through Kafka, then exit
          tail -F access.log | logtop --batch --source stdin
          logtop generate --stdout --rate 50           print synthetic access-log lines

        Scale-out: `logtop analyze` runs a headless analyzer member (start several, on several \
        machines: Kafka spreads the partitions of `logs` across them); each publishes per-second \
        partial aggregates to the topic logtop.metrics, and `logtop --source none` (dashboard or \
        --batch) merges them into one exact view, evaluates the alerts once and shows how many \
        analyzers contribute and the lag of each.
        """,
        subcommands: [Generate.self, Analyze.self, Broker.self])

    @Flag(help: "Run headless: append statistics to the results file every interval instead of opening the dashboard.")
    var batch = false

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var topics: TopicOptions
    @OptionGroup var generator: GeneratorOptions

    @Option(name: .customLong("source"), help: ArgumentHelp(
        "Where lines come from: generator, file:PATH, stdin, tcp://HOST:PORT, none (repeatable: several sources at once). Default: generator.",
        valueName: "spec"))
    var sources: [String] = []

    @Flag(help: "Follow file: sources like tail -F (growth, rotation, a file that does not exist yet); the run does not end by itself. *.gz files are still read once.")
    var follow = false

    @Flag(name: .customLong("from-start"), help: "With --follow: read followed files from their beginning.")
    var fromStart = false

    @Flag(name: .customLong("from-end"), help: "With --follow: read only lines appended from now on (the default when following).")
    var fromEnd = false

    @Option(help: ArgumentHelp(
        "local: analyse the logs topic in this process; merged: show the merged view of `logtop analyze` members. Default: merged with --source none, local otherwise.",
        valueName: "local|merged"))
    var view: String?

    @Option(help: "Output file for the human-readable statistics blocks.")
    var results = "results.txt"

    @Option(name: .customLong("results-json"), help: "Also write each interval as one JSON object per line to this file.")
    var resultsJSON: String?

    @Option(help: "Report interval (e.g. 60, 60s, 5m).")
    var interval = "60s"

    @Option(help: "Sliding window of the live figures.")
    var window = "60s"

    @Option(help: ArgumentHelp("Allowed lateness: records older than the newest event time minus this are counted as late (in the totals, not the windows). Default: 5s, 15s for a merged view.", valueName: "duration"))
    var lateness: String?

    @Flag(name: .customLong("no-publish-alerts"), help: "Show alerts but do not publish them to the alerts topic (for a second view of the same traffic: each view evaluates the rules, and only one should publish).")
    var noPublishAlerts = false

    @OptionGroup var analysis: AnalysisOptions

    @Option(help: "With --batch: print a progress line to stderr this often (e.g. 1s), also when it is not a terminal (logs, scripts).")
    var progress: String?

    func run() throws {
        if fromStart && fromEnd { throw ValidationError("--from-start and --from-end exclude each other") }
        if (fromStart || fromEnd) && !follow {
            throw ValidationError("--from-start/--from-end apply to followed files: add --follow (without it a file is read once from its start)")
        }
        let parsedSources = try sources.map { s -> SourceSpec in
            guard let spec = SourceSpec(parsing: s, follow: follow, fromStart: fromStart) else {
                throw ValidationError("--source \(s): expected generator, file:PATH, stdin, tcp://HOST:PORT or none")
            }
            return spec
        }
        var config = try pipelineConfig(kafka, topics, generator)
        config.sources = parsedSources.isEmpty ? [.generator] : parsedSources
        switch view {
        case nil: config.mode = config.sources.allSatisfy { $0 == .none } ? .merged : .local
        case "local": config.mode = .local
        case "merged": config.mode = .merged
        case let other?: throw ValidationError("--view \(other): expected local or merged")
        }
        try analysis.apply(to: &config)
        config.engine.interval = try seconds(interval, "--interval")
        config.engine.window = try seconds(window, "--window")
        // Members publish every second and a crashed member's partitions resume seconds later: by
        // default a merged view waits longer before it closes a second.
        config.engine.lateness = try seconds(lateness ?? (config.mode == .merged ? "15s" : "5s"), "--lateness", allowZero: true)
        config.publishAlerts = !noPublishAlerts
        let limit = try analysis.limit()
        let progressEvery = try progress.map { p -> Double in
            guard batch else { throw ValidationError("--progress applies to --batch") }
            guard let v = DurationParser.seconds(p), v > 0 else { throw ValidationError("--progress \(p): expected e.g. 1s") }
            return v
        }
        installSignalHandlers()
        if !batch {
            // The dashboard: no results file; the terminal is restored before anything is printed.
            dashboardPreflight()
            let pipeline: Pipeline
            do { pipeline = try Pipeline(config: config) } catch { fail("\(error)") }
            let code = runDashboard(pipeline: pipeline, duration: limit)
            if code != 0 { throw ExitCode(code) }
            return
        }
        let writer: ResultsWriter
        do { writer = try ResultsWriter(textPath: results, jsonPath: resultsJSON) } catch { fail("\(error)") }
        let pipeline: Pipeline
        do { pipeline = try Pipeline(config: config) } catch { fail("\(error)") }
        if pipeline.embedded {
            FileHandle.standardError.write(Data("embedded Kafka broker at \(pipeline.brokerAddress)\n".utf8))
        } else {
            FileHandle.standardError.write(Data("Kafka brokers \(pipeline.brokerAddress)\n".utf8))
        }
        var runner = BatchRunner(pipeline: pipeline, writer: writer, duration: limit,
                                 stopRequested: { stopSignal.load(ordering: .relaxed) })
        runner.progressEvery = progressEvery
        let code = runner.run()
        if code != 0 { throw ExitCode(code) }
    }

    func seconds(_ text: String, _ flag: String, allowZero: Bool = false) throws -> Int {
        guard let v = DurationParser.seconds(text), v >= (allowZero ? 0 : 1) else {
            throw ValidationError("\(flag) \(text): expected a duration such as 60s or 5m")
        }
        return Int(v.rounded())
    }
}

/// Options of the analysis shared by the main command and `logtop analyze`. (One group for both:
/// ArgumentParser hands an option of the main command to it even after a subcommand's name, so a
/// subcommand option of the same name would never receive its value.)
struct AnalysisOptions: ParsableArguments {
    @Option(help: "Stop after this long (e.g. 90s, 10m).")
    var duration: String?

    @Option(help: "Log format: auto, combined, common, vcombined, nginx-json.")
    var format = "auto"

    @Flag(name: .customLong("keep-query"), help: "Keep query strings in paths (stripped by default).")
    var keepQuery = false

    func apply(to config: inout PipelineConfig) throws {
        guard let fmt = LogFormat(rawValue: format) else {
            throw ValidationError("--format \(format): expected one of \(LogFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        config.engine.format = fmt
        config.engine.keepQuery = keepQuery
    }

    /// `--duration` in seconds.
    func limit() throws -> Double? {
        try duration.map { d -> Double in
            guard let v = DurationParser.seconds(d), v > 0 else { throw ValidationError("--duration \(d): expected e.g. 90s or 10m") }
            return v
        }
    }
}

/// Where Kafka is and how to reach it, shared by every command that talks to Kafka.
struct KafkaOptions: ParsableArguments {
    @Option(help: "Kafka bootstrap servers (host:port,...). Default: KAFKA_BOOTSTRAP_SERVERS, else the embedded cluster.")
    var brokers: String?

    @Option(name: .customShort("X"), help: ArgumentHelp("Any librdkafka property, e.g. -X linger.ms=10 (repeatable).", valueName: "key=value"))
    var properties: [String] = []

    @Option(name: .customLong("env-file"), help: ArgumentHelp(
        "File of KAFKA_* settings (KEY=value lines); flags and the environment win over it. Default: ./.env if it exists.",
        valueName: "path"))
    var envFile: String?

    @Option(help: "SASL user name. Default: KAFKA_USERNAME (environment, then .env). There is no password flag (command lines are visible to every user): the password comes from KAFKA_PASSWORD or --password-file.")
    var username: String?

    @Option(name: .customLong("password-file"), help: ArgumentHelp("File holding the SASL password, instead of KAFKA_PASSWORD.", valueName: "path"))
    var passwordFile: String?

    @Option(help: ArgumentHelp("CA certificate (PEM) that signed the broker certificate. Default: KAFKA_SSL_CA_LOCATION, else the docker compose Kafka's secrets/ca.crt when it exists and the broker is localhost, else the system store.", valueName: "path"))
    var ca: String?

    @Flag(name: .customLong("insecure-plaintext-sasl"), help: "Send the SASL/PLAIN user name and password WITHOUT TLS (security.protocol=sasl_plaintext): refused unless this flag is given.")
    var insecurePlaintextSASL = false

    @Flag(name: .customLong("show-config"), help: "Print the effective Kafka configuration (secrets redacted) and exit.")
    var showConfig = false

    /// Resolves the Kafka settings (flags > environment > .env > defaults); exits with the fix when
    /// they are unusable (a password on the command line, SASL/PLAIN without TLS, a missing CA file...).
    func kafkaResolution() -> KafkaResolution {
        do {
            let dotenv = try EnvFile.load(envFile ?? ".env", required: envFile != nil)
            let password = try passwordFile.map { path in
                let secret = try EnvFile.readSecret(path)
                return KafkaConfigResolver.SecretFileValue(path: path, value: secret.value, mode: secret.mode)
            }
            let resolver = KafkaConfigResolver(
                brokersFlag: brokers, usernameFlag: username, caFlag: ca, passwordFile: password,
                insecurePlaintextSASL: insecurePlaintextSASL, extra: try KafkaConfigResolver.parseExtra(properties),
                environment: ProcessInfo.processInfo.environment, dotenv: dotenv.values,
                dotenvPath: envFile ?? ".env", dotenvMode: dotenv.mode)
            return try resolver.resolution()
        } catch {
            fail("\(error)")
        }
    }
}

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

/// The traffic generator.
struct GeneratorOptions: ParsableArguments {
    @Option(help: "Generated lines per second.")
    var rate: Double = 200

    @Option(help: "Seed of the traffic generator (same seed, same lines).")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Start the generator with a scenario: \(TrafficScenario.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "name"))
    var scenario: String?
}

/// The pipeline configuration of the options given: Kafka settings resolved (flags > environment >
/// .env > defaults), notices printed, `--show-config` answered.
func pipelineConfig(_ kafkaOptions: KafkaOptions, _ topics: TopicOptions, _ generator: GeneratorOptions? = nil) throws -> PipelineConfig {
        let resolution = kafkaOptions.kafkaResolution()

        for notice in resolution.notices { FileHandle.standardError.write(Data("logtop: \(notice)\n".utf8)) }
        if kafkaOptions.showConfig {
            FileHandle.standardOutput.write(Data(resolution.describe().utf8))
            Foundation.exit(0)
        }
        if let kafka = resolution.settings {
            FileHandle.standardError.write(Data("logtop: Kafka \(kafka.connectionSummary)\n".utf8))
        }
        var c = PipelineConfig()
        c.kafka = resolution.settings
        c.topic = topics.topic
        c.alertsTopic = topics.alertsTopic
        c.group = topics.group
        c.metricsTopic = topics.metricsTopic
        c.partitions = max(1, topics.partitions)
        c.createTopics = !topics.noCreateTopics
        if let generator {
            guard generator.rate > 0 else { throw ValidationError("--rate must be positive") }
            c.generator.rate = generator.rate
            c.generator.seed = generator.seed
            if let scenario = generator.scenario {
                guard let s = TrafficScenario(rawValue: scenario) else {
                    throw ValidationError("--scenario \(scenario): expected one of \(TrafficScenario.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                c.generator.scenario = s
            }
        }
        return c
    }


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
        let id = pipeline.status().member?.member ?? "?"
        FileHandle.standardError.write(Data("logtop analyze: member \(id) of group \(config.group) at \(pipeline.embedded ? "embedded Kafka broker" : "Kafka brokers") \(pipeline.brokerAddress), publishing to \(config.metricsTopic)\n".utf8))
        let start = Date()
        var lastReport = Date()
        while !stopSignal.load(ordering: .relaxed) {
            if let limit, Date().timeIntervalSince(start) >= limit { break }
            usleep(100_000)
            if Date().timeIntervalSince(lastReport) >= 5 {
                lastReport = Date()
                FileHandle.standardError.write(Data("logtop analyze: \(Self.statusLine(pipeline.status()))\n".utf8))
            }
        }
        pipeline.finish(drainTimeout: 5)
        FileHandle.standardError.write(Data("logtop analyze: stopped: \(Self.statusLine(pipeline.status()))\n".utf8))
    }

    static func statusLine(_ s: PipelineStatus) -> String {
        let m = s.member ?? MemberStatus()
        let partitions = s.consumer.assignment.map { String($0.partition) }.joined(separator: ",")
        var text = "\(m.member): \(m.lines) lines, \(m.partials) partials published (\(m.bytes / 1024) KiB)"
        if m.failed > 0 { text += ", \(m.failed) FAILED" }
        text += "; partitions [\(partitions)], lag \(s.consumer.totalLag), \(s.consumer.lostRecords) lost"
        // A recent error only: one refused commit during a rebalance is not news a minute later.
        if let e = s.lastKafkaError, let at = s.lastKafkaErrorAt, Date().timeIntervalSince(at) < 30 {
            text += "; Kafka error \(Int(Date().timeIntervalSince(at)))s ago: \(e)"
        }
        return text
    }
}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the traffic generator alone: produce to the logs topic, or print lines with --stdout.")

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var topics: TopicOptions
    @OptionGroup var generator: GeneratorOptions

    @Flag(help: "Print lines on standard output instead of producing them to Kafka.")
    var stdout = false

    @Option(help: "Stop after this many lines.")
    var count: Int?

    @Flag(name: .customLong("no-pace"), help: "With --stdout: write as fast as possible (timestamps still advance at --rate lines per second).")
    var noPace = false

    @Option(help: ArgumentHelp("Serve generated lines to any number of TCP clients on HOST:PORT (port 0: any free port) instead of producing to Kafka; read them with logtop --source tcp://HOST:PORT. A client too slow to keep up is disconnected.", valueName: "host:port"))
    var listen: String?

    /// `--duration` (shared with the main command, which would otherwise take it).
    @OptionGroup var analysis: AnalysisOptions

    func run() throws {
        if let count, count < 1 { throw ValidationError("--count \(count): expected a positive number of lines") }
        let limit = try analysis.limit()
        let config = try pipelineConfig(kafka, topics, generator)
        installSignalHandlers()
        if let listen {
            guard !stdout else { throw ValidationError("--listen and --stdout exclude each other") }
            guard let (host, port) = SourceSpec.hostPort(listen, allowZero: true) else {
                throw ValidationError("--listen \(listen): expected HOST:PORT, e.g. 127.0.0.1:9000")
            }
            let server: LineServer
            do { server = try LineServer(host: host, port: port) } catch { fail("\(error)") }
            FileHandle.standardError.write(Data("listening on \(server.address)\n".utf8))
            let lines = server.serveGenerated(config.generator, count: count) { stopSignal.load(ordering: .relaxed) }
            server.close(drainTimeout: 5)
            FileHandle.standardError.write(Data("logtop generate: \(lines) lines served; \(server.acceptedClients) clients, \(server.droppedClients) dropped as too slow\n".utf8))
            return
        }
        if stdout {
            generateToStdout(config.generator)
            return
        }
        var c = config
        c.sources = [.generator]
        c.analyze = false
        c.generator.count = count
        let pipeline: Pipeline
        do { pipeline = try Pipeline(config: c) } catch { fail("\(error)") }
        FileHandle.standardError.write(Data("\(pipeline.embedded ? "embedded Kafka broker at" : "Kafka brokers") \(pipeline.brokerAddress)\n".utf8))
        // With --count the generator ends by itself once it has handed that many lines to Kafka.
        let start = Date()
        while !stopSignal.load(ordering: .relaxed), pipeline.status().activeSources > 0 {
            if let limit, Date().timeIntervalSince(start) >= limit { break }
            usleep(50_000)
        }
        pipeline.finish(drainTimeout: 5)
        FileHandle.standardError.write(Data("logtop generate: Kafka: \(BatchRunner.deliveryText(pipeline.status().producer))\n".utf8))
    }

    func generateToStdout(_ g: GeneratorConfig) {
        var model = TrafficModel(seed: g.seed)
        var pacer = TrafficPacer(rate: g.rate, seed: g.seed)
        var written = 0
        var out = [UInt8]()
        out.reserveCapacity(1 << 16)
        let start = Int64(Date().timeIntervalSince1970)
        func flush() {
            out.withUnsafeBytes { b in
                var off = 0
                while off < b.count {
                    let n = write(1, b.baseAddress! + off, b.count - off)
                    if n <= 0 { Foundation.exit(0) }  // reader went away (e.g. `| head`)
                    off += n
                }
            }
            out.removeAll(keepingCapacity: true)
        }
        while !stopSignal.load(ordering: .relaxed) {
            let due: Int
            let now: Int64
            if noPace {
                due = 1000
                now = start + Int64(Double(written) / g.rate)
            } else {
                due = pacer.due(nowNanos: DispatchTime.now().uptimeNanoseconds, scenario: g.scenario)
                now = Int64(Date().timeIntervalSince1970)
            }
            for _ in 0..<due {
                if let count, written >= count { break }
                out.append(contentsOf: model.nextLine(time: noPace ? start + Int64(Double(written) / g.rate) : now, scenario: g.scenario).utf8)
                out.append(0x0A)
                written += 1
            }
            flush()
            if let count, written >= count { break }
            if !noPace { usleep(5_000) }
        }
        flush()
    }
}

signal(SIGPIPE, SIG_IGN)
Logtop.main()
