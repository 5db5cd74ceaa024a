import Foundation
import LogtopCore
import LogtopKafka

/// The running system, wired from its parts along the data flow:
///
/// ```
/// LineSource ×N ──► LogWriter ──► Kafka `logs` ──► Analyzer ──► AnalyzerHandOver ──► front end
///  (Sources/)      (Transport/)                    (Analyzer/)   snapshot, reports,   (dashboard,
///                  back-pressure                   └─► AlertPublisher ──► `alerts`   batch runner)
/// ```
///
/// Every source and the analyzer run on threads of their own (blocking reads, Kafka polls and flushes
/// never run on the caller's thread); the front end reads values (`status()`, `takeReports()`,
/// `takeAlerts()`) and sends `Command`s. The order of a shutdown is `PipelineLifecycle`'s.
public final class Pipeline: Sendable {
    public let config: PipelineConfig
    /// `127.0.0.1:PORT` of the embedded cluster, or the configured bootstrap servers.
    public let brokerAddress: String
    public let embedded: Bool
    let kafka: KafkaConnection
    private let lifecycle = LifecycleCell()
    private let writer: LogWriter
    private let alerts: AlertPublisher
    private let handOver: AnalyzerHandOver
    private let generator: GeneratorControl
    /// The clock of a paced replay of the file sources (`config.replaySpeed`).
    private let replay: ReplayControl?
    private let sourceErrors = ErrorList()
    private let consumer: LogConsumer?
    /// Scale-out member state (`.member` mode).
    private let member: MemberPublisher?
    private let sourcesDone = DispatchGroup()
    private let analyzerDone = DispatchSemaphore(value: 0)
    /// The `/metrics` endpoint (`--metrics-listen`), bound before Kafka is opened.
    public let metricsServer: MetricsServer?

    /// Connects (or starts the embedded cluster), creates the topics and starts every thread.
    public init(config: PipelineConfig) throws {
        self.config = config
        for case .file(let path) in config.sources where !FileManager.default.isReadableFile(atPath: path) {
            throw PipelineError("cannot read \(path)", hint: "check the path given to --source file:PATH")
        }
        metricsServer = try config.metricsListen.map { try MetricsServer(listen: $0) }
        kafka = try KafkaConnection.open(config)
        brokerAddress = kafka.address
        embedded = kafka.embedded
        let producer = try LogProducer(settings: kafka.settings)
        writer = LogWriter(producer: producer, topic: config.topic, partitions: producer.prepare(topic: config.topic),
                           maxBacklog: config.analyze ? config.maxBacklog : nil, maxBacklogBytes: config.maxBacklogBytes,
                           lifecycle: lifecycle)
        alerts = try AlertPublisher(settings: kafka.settings, topic: config.alertsTopic, enabled: config.publishAlerts)
        handOver = AnalyzerHandOver(snapshot: AnalysisEngine(config: config.engine).snapshot())
        generator = GeneratorControl(GeneratorState(enabled: config.sources.contains(.generator), rate: config.generator.rate,
                                                    scenario: config.generator.scenario))
        replay = config.replaySpeed.flatMap { s in
            config.sources.contains { if case .file = $0 { true } else { false } } ? ReplayControl(speed: s) : nil
        }
        let analyzer: Analyzer?
        (analyzer, consumer, member) = config.analyze ? try Self.makeAnalyzer(config, kafka.settings, lifecycle, writer, handOver, alerts, replay,
                                                                          ownCluster: kafka.embedded)
                                                      : (nil, nil, nil)
        if let analyzer {
            Thread.detachNewThread { [analyzerDone] in
                ThreadName.analyzer.apply()
                analyzer.run()
                analyzerDone.signal()
            }
        } else {
            analyzerDone.signal()
        }
        for spec in config.sources {
            if let source = spec.makeSource(config, generator: generator) { start(source, spec) }
        }
        metricsServer?.serve { [weak self] openMetrics in
            guard let self else { return openMetrics ? "# EOF\n" : "" }
            return MetricsExposition.render(self.status(), openMetrics: openMetrics)
        }
    }

    /// The analyzer of `config.mode` with its consumer (subscribed) and, for a member, its publisher.
    private static func makeAnalyzer(_ config: PipelineConfig, _ settings: KafkaSettings, _ lifecycle: LifecycleCell,
                                     _ writer: LogWriter, _ handOver: AnalyzerHandOver, _ alerts: AlertPublisher,
                                     _ replay: ReplayControl?, ownCluster: Bool)
        throws -> (Analyzer, LogConsumer, MemberPublisher?) {
        var driver = EngineDriver(config: config.engine, handOver: handOver, alerts: alerts, snapshotIntervalMs: config.snapshotIntervalMs)
        driver.replay = replay
        driver.filtered = config.filter.map { FilteredView(filter: $0, config: config.engine) }
        switch config.mode {
        case .local:
            let c = try LogConsumer(settings: settings, group: config.group, autoCommitIntervalMs: config.commitIntervalMs,
                                    overrides: consumerOverrides(config, ownCluster: ownCluster))
            if ownCluster {
                // Nobody else can join a group on this process's own cluster: take every partition at
                // once instead of waiting for the group to form (3 s on the embedded cluster).
                try c.assign(topic: config.topic, partitions: config.partitions)
            } else {
                try c.subscribe([config.topic])
            }
            return (LocalAnalyzer(consumer: c, writer: writer, lifecycle: lifecycle, driver: driver), c, nil)
        case .member:
            let m = try MemberPublisher(member: config.memberID ?? Self.defaultMemberID, topic: config.topic,
                                        metricsTopic: config.metricsTopic, settings: settings, engine: config.engine)
            let lag = LagCell()
            let hooks = RebalanceHooks(
                assigned: { partitions, committed in m.startOffsets(for: partitions, committed: committed) },
                revoking: { partitions in m.revoke(partitions, memberLag: lag.value.load(ordering: .relaxed)) })
            let c = try LogConsumer(settings: settings, group: config.group, autoCommitIntervalMs: config.commitIntervalMs,
                                    rebalanceHooks: hooks)
            try c.subscribe([config.topic])
            return (MemberAnalyzer(consumer: c, member: m, lag: lag, lifecycle: lifecycle, publishIntervalMs: config.publishIntervalMs), c, m)
        case .merged:
            // A private group, never committed: every view reads the whole metrics topic.
            let c = try LogConsumer(settings: settings, group: "logtop-view-\(UUID().uuidString.prefix(8))",
                                    overrides: ["enable.auto.commit": "false"])
            try c.subscribe([config.metricsTopic])
            return (MergedViewAnalyzer(consumer: c, lifecycle: lifecycle, driver: driver), c, nil)
        }
    }

    /// Runs `source` on a thread of its own until it ends or the pipeline stops.
    private func start(_ source: LineSource, _ spec: SourceSpec) {
        let tracker = SourceTracker(name: spec.description, keyed: spec != .generator)
        writer.register(tracker)
        var output = SourceOutput(tracker: tracker, writer: writer, lifecycle: lifecycle, errors: sourceErrors)
        if case .file = spec, let replay {
            replay.sourceStarted()
            output.replay = ReplayPacer(control: replay, format: config.engine.format)
        }
        sourcesDone.enter()
        Thread.detachNewThread { [sourcesDone, lifecycle, output] in
            ThreadName.source.apply()
            source.run(into: output)
            output.endOfInput()  // whatever a source left batched when it ended
            output.replay?.control.sourceEnded()
            if !tracker.state.isOver { tracker.set(lifecycle.sourcesShouldStop ? .stopped : .done) }
            sourcesDone.leave()
        }
    }

    /// Settings of the local analyzer's consumer beyond the defaults. The embedded cluster holds an
    /// empty fetch for the whole `fetch.wait.max.ms` (20 ms) even when data arrives meanwhile, and a
    /// replay of files at full speed empties it once per backlog (the bound keeps it under the
    /// cluster's retention): such a run, which ends with its files, waits 2 ms instead (1M-line
    /// file: 1.54 → 1.24 s). Live runs, paced replays and the dashboard, which stays open after its
    /// files, keep the longer wait: idle, 2 ms costs ~6 % of a core against ~2 %.
    static func consumerOverrides(_ config: PipelineConfig, ownCluster: Bool) -> [String: String] {
        let replaying = ownCluster && config.endsWithItsSources && config.replaySpeed == nil && !config.sources.isEmpty
            && config.sources.allSatisfy { if case .file = $0 { true } else { false } }
        return replaying ? ["fetch.wait.max.ms": "2"] : [:]
    }

    /// `host-pid`: unique enough among the members of one group.
    static var defaultMemberID: String {
        "\(ProcessInfo.processInfo.hostName.split(separator: ".").first ?? "host")-\(getpid())"
    }

    deinit {
        if lifecycle.current.phase == .running { finish(drainTimeout: 0) }
    }

    // MARK: - Front-end API

    /// Hands a front end's command to the part that acts on it: the generator or the replay clock at
    /// once, the alert rules through the analyzer thread.
    public func send(_ command: Command) {
        if command.isForReplay { replay?.apply(command); return }
        if command.isForAnalyzer { handOver.queue(command) } else { generator.apply(command) }
    }

    /// The paced replay of the file sources (`--replay-speed`), if any: speed, log time, gaps skipped.
    public var replayStatus: ReplayStatus? { replay?.status }

    /// Interval reports closed since the last call.
    public func takeReports() -> [IntervalReport] { handOver.takeReports() }

    /// Alert events since the last call, oldest first.
    public func takeAlerts() -> [AlertEvent] { handOver.takeAlerts() }

    /// Errors of sources (a file that vanished, a read error) since the last call.
    public func takeSourceErrors() -> [String] { sourceErrors.take() }

    /// What every source is doing: lines handed to Kafka, state (`following`, `waiting for file`,
    /// `connected`, `reconnecting in 2s`, `done`...) and whether it waits for the analyzer or Kafka.
    public func sourceStatuses() -> [SourceStatus] { writer.sources }

    /// True when every source was finite and has ended, and the analyzer has taken all their lines or
    /// found them lost (trimmed by retention before it could read them: counted, and waiting for them
    /// would never end).
    public var finiteRunComplete: Bool {
        let sources = config.sources.filter { $0 != .none }
        let statuses = writer.sources
        guard !sources.isEmpty, sources.allSatisfy(\.isFinite), statuses.allSatisfy(\.state.isOver) else { return false }
        let p = writer.producer.stats()
        guard p.inFlight == 0 else { return false }
        let lost = Int(consumer?.stats().lostLines ?? 0)
        return writer.consumed.load(ordering: .acquiring) + lost >= p.delivered
    }

    public func status() -> PipelineStatus {
        let p = writer.producer.stats()
        let c = consumer?.stats() ?? ConsumerStats()
        let lastError = [writer.producer.lastError, c.lastError, alerts.lastError]
            .compactMap { $0 }.max { $0.time < $1.time }
        let down = lastError.map { $0.code == .allBrokersDown && Date().timeIntervalSince($0.time) < 10 } ?? false
        let a = alerts.stats
        let sources = writer.sources
        return PipelineStatus(
            broker: brokerAddress, embedded: embedded, connected: !down, producer: p, consumer: c,
            ownProduced: writer.produced.load(ordering: .relaxed), ownConsumed: writer.consumed.load(ordering: .relaxed),
            alertsPublished: alerts.published.load(ordering: .relaxed), alertsReplayed: alerts.replayed.load(ordering: .relaxed),
            alertsFailed: a.failed + a.rejected,
            generator: generator.current, backPressured: writer.backPressured.load(ordering: .relaxed),
            activeSources: sources.filter { !$0.state.isOver }.count, lastKafkaError: lastError,
            snapshot: handOver.snapshot, sources: sources, member: member?.status, merge: handOver.merge,
            replay: replay?.status)
    }

    /// Blocks until every source has ended by itself (a finite file, `--count` lines), `duration`
    /// seconds have passed or `stopRequested()`; the caller then calls `finish`.
    public func waitForSources(duration: Double?, stopRequested: () -> Bool) {
        let start = Date()
        while !stopRequested(), writer.sources.contains(where: { !$0.state.isOver }) {
            if let duration, Date().timeIntervalSince(start) >= duration { break }
            usleep(50_000)  // a front end's pace: nothing here needs a faster answer
        }
    }

    /// Stops the sources, waits (up to `drainTimeout` seconds) until the analyzer has taken every line
    /// they produced, closes the last interval, commits offsets and closes Kafka. Blocking; idempotent.
    public func finish(drainTimeout: Double = 30) {
        guard lifecycle.update({ $0.finish() }) == .stopSources else { return }
        writer.wakeWaitingSources()
        sourcesDone.wait()
        _ = writer.producer.flush(timeoutMs: Int(min(drainTimeout, 15) * 1000))
        let delivered = writer.producer.stats().delivered
        if case .awaitAnalyzer = lifecycle.update({ $0.sourcesStopped(delivered: delivered) }) {
            _ = analyzerDone.wait(timeout: .now() + drainTimeout + 15)
        }
        writer.producer.close(flushTimeoutMs: 2_000)
        alerts.close(flushTimeoutMs: 5_000)
        consumer?.close()  // a member publishes what it holds as its partitions are revoked
        member?.close()
        // The run is over: a slow stop of the embedded cluster (see EmbeddedKafkaCluster.opPause) is not
        // worth a user's wait.
        kafka.cluster?.close(waitingAtMost: 0.1)
        metricsServer?.stop()
        lifecycle.update { $0.closed() }
    }

    /// Stops the way a killed process stops: no final publication, no commit, no LeaveGroup, and
    /// what Kafka had not acknowledged yet is dropped. For crash-recovery tests.
    func crash() {
        guard lifecycle.update({ $0.crash() }) == .abandon else { return }
        writer.wakeWaitingSources()
        sourcesDone.wait()
        _ = analyzerDone.wait(timeout: .now() + 15)
        consumer?.abandon()
        member?.close(flushTimeoutMs: 0)
        writer.producer.close(flushTimeoutMs: 0)
        alerts.close(flushTimeoutMs: 0)
        kafka.cluster?.close()
        lifecycle.update { $0.closed() }
    }
}
