import ArgumentParser
import Foundation
import LogtopCore
import LogtopKafka
import LogtopPipeline

struct Logtop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logtop",
        abstract: "Live monitor for HTTP access logs flowing through Apache Kafka (logtop \(LogtopCore.Logtop.version)).",
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
        version: "logtop \(LogtopCore.Logtop.version)",
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

    @Option(help: ArgumentHelp("Allowed lateness: a report interval is written once event time is this far past its end (until then every record of it is counted there; later ones count as late, in the TOTAL), and live figures and alerts wait this long for a second. Default: 5s (15s for a merged view); report intervals of files and stdin wait 1h. See docs/event-time.md.", valueName: "duration"))
    var lateness: String?

    @Flag(name: .customLong("no-publish-alerts"), help: "Show alerts but do not publish them to the alerts topic (for a second view of the same traffic: each view evaluates the rules, and only one should publish).")
    var noPublishAlerts = false

    @OptionGroup var analysis: AnalysisOptions

    @Option(help: ArgumentHelp(
        "With --batch: count only the requests matching EXPR in results.txt and the JSON (alerts still see all traffic), e.g. 'status:5xx', 'path:/api/* !ua~bot', 'client:10.0.0.0/8 method:POST', 'client:2001:db8::/32' (IPv4 or IPv6 CIDR). See README, Batch mode.",
        valueName: "EXPR"))
    var filter: String?

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
        // default a merged view waits longer before it closes a second. Given, --lateness holds for
        // report intervals too; else they wait 1 h for finite input (EngineConfig.reportLateness).
        let givenLateness = try lateness.map { try seconds($0, "--lateness", allowZero: true) }
        config.engine.lateness = givenLateness ?? (config.mode == .merged ? PipelineConfig.mergedViewLateness : EngineConfig().lateness)
        config.engine.intervalLateness = givenLateness
        config.publishAlerts = !noPublishAlerts
        if let f = filter {
            guard batch, config.mode == .local else {
                throw ValidationError("--filter applies to --batch with a local analysis (not --source none)")
            }
            do { config.filter = try LineFilter(f) } catch {
                throw ValidationError("--filter \(error)\n  \(error.pointer.replacingOccurrences(of: "\n", with: "\n  "))")
            }
        }
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
        config.endsWithItsSources = true
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
