import Foundation
import LogtopCore
import LogtopKafka
import Synchronization

/// The running system: sources produce lines into the `logs` topic, the analyzer consumes them into the
/// engine, publishes alert events to the `alerts` topic and hands reports and snapshots to the front end.
///
/// Every blocking call (Kafka polls, flushes, file reads) runs on a thread of its own; the front end
/// only reads values (`status()`, `takeReports()`, `takeAlerts()`) and sends `PipelineAction`s.
public final class Pipeline: Sendable {
    public let config: PipelineConfig
    /// `127.0.0.1:PORT` of the embedded cluster, or the configured bootstrap servers.
    public let brokerAddress: String
    public let embedded: Bool
    private let cluster: EmbeddedKafkaCluster?
    /// How every client of this pipeline reaches Kafka.
    private let settings: KafkaSettings
    private let logProducer: LogProducer
    private let alertProducer: LogProducer
    private let consumer: LogConsumer?
    /// Scale-out member state (`.member` mode).
    private let member: MemberPublisher?
    /// The member's consumer lag as of its last publication, for partials published on revocation.
    private let memberLag: LagCell
    /// Merged view bookkeeping (`.merged` mode).
    private let mergeStatus = Mutex<MergeStatus?>(nil)
    private let runID: [UInt8]
    private let ownProduced = Atomic<Int>(0)
    private let ownConsumed = Atomic<Int>(0)
    private let alertsPublished = Atomic<Int>(0)
    private let alertsReplayed = Atomic<Int>(0)
    private let stopSources = Atomic<Bool>(false)
    private let stopAnalyzer = Atomic<Bool>(false)
    private let drainTarget = Atomic<Int>(Int.max)
    private let backPressure = Atomic<Bool>(false)
    private let activeSources = Atomic<Int>(0)
    private let finished = Atomic<Bool>(false)
    private let crashed = Atomic<Bool>(false)
    private let shared: Mutex<Shared>
    private let sourcesDone = DispatchGroup()
    private let analyzerDone = DispatchSemaphore(value: 0)

    private struct Shared: Sendable {
        var snapshot: Snapshot
        var generator: GeneratorState
        var commands: [PipelineAction] = []
        var reports: [IntervalReport] = []
        var alerts: [AlertEvent] = []
        var sourceErrors: [String] = []
    }

    /// Name of the Kafka header that marks the lines of this run (used to know when a finite run is done).
    public static let runHeader = "logtop-run"
    /// Name of the Kafka header that says which source a line came from.
    public static let sourceHeader = "logtop-source"
    /// Name of the Kafka header that marks a line cut by `LineSplitter` (counted as malformed).
    public static let cutHeader = "logtop-cut"

    /// Connects (or starts the embedded cluster), creates the topics and starts every thread.
    public init(config: PipelineConfig) throws {
        self.config = config
        if let kafka = config.kafka {
            _ = try KafkaProbe.checkReachable(kafka, timeoutMs: 10_000)
            settings = kafka
            cluster = nil
            embedded = false
            brokerAddress = kafka.bootstrapServers ?? "?"
            if config.createTopics {
                _ = try KafkaAdmin.ensureTopics([
                    .init(name: config.topic, partitions: config.partitions),
                    .init(name: config.alertsTopic, partitions: 1),
                    .init(name: config.metricsTopic, partitions: config.partitions),
                ], settings: settings)
            }
        } else {
            let c = try EmbeddedKafkaCluster(brokers: 1)
            _ = try c.createTopic(config.topic, partitions: config.partitions)
            _ = try c.createTopic(config.alertsTopic, partitions: 1)
            _ = try c.createTopic(config.metricsTopic, partitions: config.partitions)
            settings = c.settings()
            cluster = c
            embedded = true
            brokerAddress = c.bootstrapServers
        }
        for case .file(let path) in config.sources where !FileManager.default.isReadableFile(atPath: path) {
            throw PipelineError("cannot read \(path)", hint: "check the path given to --source file:PATH")
        }
        logProducer = try LogProducer(settings: settings)
        alertProducer = try LogProducer(settings: settings)
        var memberPublisher: MemberPublisher?
        let lag = LagCell()
        memberLag = lag
        if config.analyze {
            switch config.mode {
            case .local:
                let c = try LogConsumer(settings: settings, group: config.group, autoCommitIntervalMs: config.commitIntervalMs)
                try c.subscribe([config.topic])
                consumer = c
            case .member:
                let m = try MemberPublisher(member: config.memberID ?? Self.defaultMemberID, topic: config.topic,
                                            metricsTopic: config.metricsTopic, settings: settings, engine: config.engine)
                let hooks = RebalanceHooks(
                    assigned: { partitions, committed in m.startOffsets(for: partitions, committed: committed) },
                    revoking: { partitions in m.revoke(partitions, memberLag: lag.value.load(ordering: .relaxed)) })
                let c = try LogConsumer(settings: settings, group: config.group, autoCommitIntervalMs: config.commitIntervalMs,
                                        rebalanceHooks: hooks)
                try c.subscribe([config.topic])
                consumer = c
                memberPublisher = m
            case .merged:
                // A private group, never committed: every view reads the whole metrics topic.
                let c = try LogConsumer(settings: settings, group: "logtop-view-\(UUID().uuidString.prefix(8))",
                                        overrides: ["enable.auto.commit": "false"])
                try c.subscribe([config.metricsTopic])
                consumer = c
            }
        } else {
            consumer = nil
        }
        member = memberPublisher
        var rng = SystemRandomNumberGenerator()
        runID = Array(String(rng.next() & 0xFFFF_FFFF_FFFF, radix: 16).utf8)
        let hasGenerator = config.sources.contains(.generator)
        shared = Mutex(Shared(
            snapshot: AnalysisEngine(config: config.engine).snapshot(),
            generator: GeneratorState(enabled: hasGenerator, rate: config.generator.rate,
                                      scenario: config.generator.scenario)))
        if let consumer { startAnalyzer(consumer) } else { analyzerDone.signal() }
        for source in config.sources where source != .none { startSource(source) }
    }

    deinit {
        if !finished.load(ordering: .acquiring) { finish(drainTimeout: 0) }
    }

    // MARK: - Front-end API

    public func send(_ action: PipelineAction) {
        shared.withLock { s in
            switch action {
            case .setPaused(let p): s.generator.paused = p
            case .togglePause: s.generator.paused.toggle()
            case .setRate(let r): s.generator.rate = min(1_000_000, max(1, r))
            case .scaleRate(let f): s.generator.rate = min(1_000_000, max(1, (s.generator.rate * f).rounded()))
            case .scenario(let sc, let seconds):
                s.generator.scenario = sc
                s.generator.scenarioUntil = seconds.map { Int64(Date().timeIntervalSince1970) + Int64($0) }
            case .setThreshold, .setRuleEnabled:
                s.commands.append(action)
            }
        }
    }

    /// Interval reports closed since the last call.
    public func takeReports() -> [IntervalReport] {
        shared.withLock { s in defer { s.reports.removeAll() }; return s.reports }
    }

    /// Alert events since the last call, oldest first.
    public func takeAlerts() -> [AlertEvent] {
        shared.withLock { s in defer { s.alerts.removeAll() }; return s.alerts }
    }

    /// Errors of sources (a file that vanished, a read error) since the last call.
    public func takeSourceErrors() -> [String] {
        shared.withLock { s in defer { s.sourceErrors.removeAll() }; return s.sourceErrors }
    }

    /// True when every source was finite and has ended, and the analyzer has taken all their lines.
    public var finiteRunComplete: Bool {
        let sources = config.sources.filter { $0 != .none }
        guard !sources.isEmpty, sources.allSatisfy(\.isFinite), activeSources.load(ordering: .acquiring) == 0 else { return false }
        let p = logProducer.stats()
        guard p.inFlight == 0 else { return false }
        return ownConsumed.load(ordering: .acquiring) >= p.delivered
    }

    public func status() -> PipelineStatus {
        let (snapshot, generator) = shared.withLock { ($0.snapshot, $0.generator) }
        let p = logProducer.stats()
        let a = alertProducer.stats()
        let c = consumer?.stats() ?? ConsumerStats()
        let lastError = [logProducer.lastError, c.lastError, alertProducer.lastError]
            .compactMap { $0 }.max { $0.time < $1.time }
        let down = lastError.map { $0.code.name == "_ALL_BROKERS_DOWN" && Date().timeIntervalSince($0.time) < 10 } ?? false
        return PipelineStatus(
            broker: brokerAddress, embedded: embedded, connected: !down, producer: p, consumer: c,
            ownProduced: ownProduced.load(ordering: .relaxed), ownConsumed: ownConsumed.load(ordering: .relaxed),
            alertsPublished: alertsPublished.load(ordering: .relaxed), alertsReplayed: alertsReplayed.load(ordering: .relaxed),
            alertsFailed: a.failed + a.rejected,
            generator: generator, backPressured: backPressure.load(ordering: .relaxed),
            activeSources: activeSources.load(ordering: .relaxed), lastKafkaError: lastError?.description,
            lastKafkaErrorAt: lastError?.time,
            snapshot: snapshot, sources: sourceStatuses(), member: member?.status, merge: mergeStatus.withLock { $0 })
    }

    /// Stops the sources, waits (up to `drainTimeout` seconds) until the analyzer has taken every line
    /// they produced, closes the last interval, commits offsets and closes Kafka. Blocking; idempotent.
    public func finish(drainTimeout: Double = 30) {
        guard !finished.exchange(true, ordering: .acquiringAndReleasing) else { return }
        stopSources.store(true, ordering: .releasing)
        sourcesDone.wait()
        _ = logProducer.flush(timeoutMs: Int(min(drainTimeout, 15) * 1000))
        let p = logProducer.stats()
        drainTarget.store(p.delivered, ordering: .releasing)
        stopAnalyzer.store(true, ordering: .releasing)
        _ = analyzerDone.wait(timeout: .now() + drainTimeout + 15)
        logProducer.close(flushTimeoutMs: 2_000)
        alertProducer.close(flushTimeoutMs: 5_000)
        consumer?.close()  // a member publishes what it holds as its partitions are revoked
        member?.close()
        cluster?.close()
    }

    /// Stops the way a killed process stops: no final publication, no commit, no LeaveGroup, and
    /// what Kafka had not acknowledged yet is dropped. For crash-recovery tests.
    func crash() {
        guard !finished.exchange(true, ordering: .acquiringAndReleasing) else { return }
        crashed.store(true, ordering: .releasing)
        stopSources.store(true, ordering: .releasing)
        stopAnalyzer.store(true, ordering: .releasing)
        sourcesDone.wait()
        _ = analyzerDone.wait(timeout: .now() + 15)
        consumer?.abandon()
        member?.close(flushTimeoutMs: 0)
        logProducer.close(flushTimeoutMs: 0)
        alertProducer.close(flushTimeoutMs: 0)
        cluster?.close()
    }

    // MARK: - Sources

    /// One tracker per started source, in the order of `config.sources` (declared here, with the code
    /// that feeds it).
    private let sourceTrackers = Mutex<[SourceTracker]>([])

    /// What every source is doing: lines handed to Kafka, state (`following`, `waiting for file`,
    /// `connected`, `reconnecting in 2s`, `done`...) and whether it waits for the analyzer or Kafka.
    public func sourceStatuses() -> [SourceStatus] {
        sourceTrackers.withLock { $0 }.map { $0.status() }
    }

    private func startSource(_ source: SourceSpec) {
        let tracker = SourceTracker(name: source.description, keyed: source != .generator)
        sourceTrackers.withLock { $0.append(tracker) }
        activeSources.add(1, ordering: .relaxed)
        sourcesDone.enter()
        Thread.detachNewThread { [self] in
            defer {
                activeSources.subtract(1, ordering: .releasing)
                sourcesDone.leave()
            }
            switch source {
            case .generator:
                tracker.set(.generating)
                runGenerator(tracker)
            case .file(let path): readFile(path, tracker)
            case .followedFile(let path, let fromStart): followFile(path, fromStart: fromStart, tracker)
            case .stdin:
                tracker.set(.reading)
                readLines(0, tracker)
            case .tcp(let host, let port): readTCP(host: host, port: port, tracker)
            case .none: return
            }
            if !tracker.state.isOver { tracker.set(stopSources.load(ordering: .relaxed) ? .stopped : .done) }
        }
    }

    private func reportSourceError(_ text: String) {
        shared.withLock { $0.sourceErrors.append(text) }
    }

    /// A file read once; gzip-compressed files (magic bytes `1f 8b`) are decompressed.
    private func readFile(_ path: String, _ tracker: SourceTracker) {
        tracker.set(.reading)
        guard GzipLineReader.isGzip(path: path) else {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                let why = String(cString: strerror(errno))
                reportSourceError("cannot open \(path): \(why)")
                tracker.set(.failed(why))
                return
            }
            readLines(fd, tracker)
            close(fd)
            return
        }
        let reader: GzipLineReader
        do { reader = try GzipLineReader(path: path) } catch {
            reportSourceError(error.message)
            tracker.set(.failed(error.message))
            return
        }
        var keepGoing = true
        while keepGoing, !stopSources.load(ordering: .relaxed) {
            switch reader.read({ line in
                keepGoing = produceLine(UnsafeRawBufferPointer(line), tracker)
                return keepGoing
            }) {
            case .more: continue
            case .end: return
            case .failed(let why):
                reportSourceError(why)
                tracker.set(.failed(why))
                return
            }
        }
    }

    /// A file followed like `tail -F` until the pipeline stops (see `FileFollower`).
    private func followFile(_ path: String, fromStart: Bool, _ tracker: SourceTracker) {
        let follower = FileFollower(path: path, fromStart: fromStart)
        var reported: String?
        var keepGoing = true
        while keepGoing, !stopSources.load(ordering: .relaxed) {
            let more = follower.poll { line in
                keepGoing = produceLine(UnsafeRawBufferPointer(line), tracker)
                return keepGoing
            }
            switch follower.phase {
            case .waitingForFile: tracker.set(.waitingForFile)
            case .reading: tracker.set(.reading)
            case .atEnd: tracker.set(.following)
            }
            tracker.setRotations(follower.rotations + follower.truncations)
            if follower.lastError != reported {
                reported = follower.lastError
                if let e = reported { reportSourceError(e) }
            }
            if !more { usleep(UInt32(max(10, config.followPollMs)) * 1000) }
        }
    }

    /// A TCP connection, reconnected with back-off until the pipeline stops (see `TCPLineSource`).
    private func readTCP(host: String, port: UInt16, _ tracker: SourceTracker) {
        let source = TCPLineSource(host: host, port: port, initialBackoffMs: config.reconnectInitialMs,
                                   maxBackoffMs: config.reconnectMaxMs)
        var reported: String?
        source.run(
            shouldStop: { stopSources.load(ordering: .relaxed) },
            state: { state in
                if state == .connected { tracker.addConnection() }
                // Each new reason once (not every attempt): "refused", "closed the connection"...
                if case .reconnecting = state, let why = source.lastError, why != reported {
                    reported = why
                    reportSourceError("\(tracker.name): \(why)")
                }
                tracker.set(state)
            },
            line: { line in produceLine(UnsafeRawBufferPointer(line), tracker) })
    }

    /// Standard input or a file, to its end. Polls, so that a pipeline stop is noticed even while a
    /// quiet pipe gives nothing.
    private func readLines(_ fd: Int32, _ tracker: SourceTracker) {
        var splitter = LineSplitter()
        var buffer = [UInt8](repeating: 0, count: 256 << 10)
        var keepGoing = true
        while keepGoing, !stopSources.load(ordering: .relaxed) {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, 200)
            if ready == 0 || (ready < 0 && errno == EINTR) { continue }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR || errno == EAGAIN { continue }
            if n < 0 {
                let why = String(cString: strerror(errno))
                reportSourceError("cannot read \(tracker.name): \(why)")
                tracker.set(.failed(why))
            }
            if n <= 0 { break }
            buffer.withUnsafeBufferPointer { all in
                splitter.feed(UnsafeBufferPointer(rebasing: all[0..<n])) { line in
                    if keepGoing { keepGoing = produceLine(UnsafeRawBufferPointer(line), tracker) }
                }
            }
        }
        if keepGoing, !stopSources.load(ordering: .relaxed) {
            splitter.finish { line in _ = produceLine(UnsafeRawBufferPointer(line), tracker) }
        }
    }

    private func runGenerator(_ tracker: SourceTracker) {
        var pacer = TrafficPacer(rate: config.generator.rate, seed: config.generator.seed)
        var model = TrafficModel(seed: config.generator.seed)
        var left = config.generator.count ?? Int.max
        while !stopSources.load(ordering: .relaxed), left > 0 {
            let now = Date().timeIntervalSince1970
            let g = shared.withLock { s -> GeneratorState in
                if let until = s.generator.scenarioUntil, Int64(now) >= until {
                    s.generator.scenario = nil
                    s.generator.scenarioUntil = nil
                }
                return s.generator
            }
            pacer.rate = g.rate
            pacer.paused = g.paused
            let due = pacer.due(nowNanos: DispatchTime.now().uptimeNanoseconds, scenario: g.scenario)
            var made = 0
            for _ in 0..<min(due, left) {
                var line = model.nextLine(time: Int64(now), scenario: g.scenario)
                let ok = line.withUTF8 { produceLine(UnsafeRawBufferPointer($0), tracker) }
                guard ok else { break }
                made += 1
            }
            left -= made
            if made > 0 { shared.withLock { $0.generator.generated += made } }
            usleep(5_000)
        }
    }

    /// Hands one line to Kafka, waiting while the analyzer is too far behind or the producer queue is
    /// full (the source says which in its status). Returns false when the pipeline is stopping.
    ///
    /// Lines of a file, stdin or a TCP stream are keyed by their source, so they land in one partition
    /// and reach the analyzer in the order they were written (event time stays ordered); generated lines
    /// are spread over every partition.
    private func produceLine(_ line: UnsafeRawBufferPointer, _ source: SourceTracker) -> Bool {
        var headers = [KafkaHeader(name: Self.runHeader, value: runID), KafkaHeader(name: Self.sourceHeader, value: source.nameBytes)]
        if LineSplitter.isCut(line) { headers.append(KafkaHeader(name: Self.cutHeader, value: [0x31])) }
        var waited = false
        while consumer != nil {
            // Produced minus analysed is an upper bound of the backlog: only when it is over the limit is it
            // worth taking the producer's stats (a lock and a copy) to subtract the failed lines.
            let unanalysed = ownProduced.load(ordering: .relaxed) - ownConsumed.load(ordering: .relaxed)
            if unanalysed <= config.maxBacklog || unanalysed - logProducer.stats().failed <= config.maxBacklog { break }
            if stopSources.load(ordering: .relaxed) {
                if waited { releaseWait(source) }
                return false
            }
            if !waited {
                source.setWaiting(.analyzer)
                backPressure.store(true, ordering: .relaxed)
                waited = true
            }
            usleep(1_000)
        }
        if waited { releaseWait(source) }
        var queueWait = false
        defer { if queueWait { source.setWaiting(nil) } }
        while true {
            let outcome = source.keyed
                ? source.nameBytes.withUnsafeBytes { logProducer.produce(topic: config.topic, key: $0, value: line, headers: headers) }
                : logProducer.produce(topic: config.topic, key: nil, value: line, headers: headers)
            switch outcome {
            case .enqueued:
                ownProduced.add(1, ordering: .relaxed)
                source.countLine()
                return true
            case .queueFull:
                if stopSources.load(ordering: .relaxed) && finished.load(ordering: .relaxed) { return false }
                if !queueWait { source.setWaiting(.kafka); queueWait = true }
                usleep(1_000)
            case .rejected:
                return true  // counted by the producer as rejected, shown as failed
            }
        }
    }

    /// Ends a source's wait for the analyzer; the pipeline-wide flag stays up while another source waits.
    private func releaseWait(_ source: SourceTracker) {
        source.setWaiting(nil)
        let others = sourceTrackers.withLock { $0.contains { $0.waitingForAnalyzer } }
        backPressure.store(others, ordering: .relaxed)
    }

    // MARK: - Analyzer

    private func startAnalyzer(_ consumer: LogConsumer) {
        Thread.detachNewThread { [self] in
            switch config.mode {
            case .local: runAnalyzer(consumer)
            case .member: if let member { runMember(consumer, member) }
            case .merged: runMerged(consumer)
            }
            analyzerDone.signal()
        }
    }

    /// `host-pid`: unique enough among the members of one group.
    static var defaultMemberID: String {
        "\(ProcessInfo.processInfo.hostName.split(separator: ".").first ?? "host")-\(getpid())"
    }

    private func runAnalyzer(_ consumer: LogConsumer) {
        var engine = AnalysisEngine(config: config.engine)
        var ledger = readPublishedAlerts()
        var lastTick = 0.0
        var lastSnapshot = 0.0
        var drainDeadline: Double?
        while true {
            let now = Date().timeIntervalSince1970
            if stopAnalyzer.load(ordering: .acquiring) {
                let target = drainTarget.load(ordering: .acquiring)
                if drainDeadline == nil { drainDeadline = now + 30 }
                if ownConsumed.load(ordering: .relaxed) >= target || now > drainDeadline! { break }
            }
            // Records are read in place (no copy); their offsets are stored once the batch is ingested.
            var own = 0
            let taken = (try? consumer.poll(maxMessages: 5_000, timeoutMs: 50, storeOffsets: true) { r in
                if let run = r.header(Self.runHeader), run.elementsEqual(runID) { own += 1 }
                if r.header(Self.cutHeader) != nil {
                    engine.ingestMalformed(.tooLong, line: r.value)
                } else {
                    engine.ingest(line: r.value)
                }
            }) ?? 0
            if taken > 0 { ownConsumed.add(own, ordering: .releasing) }
            let commands = applyCommands(&engine)
            tickIfDue(&engine, &ledger, now: now, last: &lastTick)
            if now - lastSnapshot >= Double(config.snapshotIntervalMs) / 1000 || !commands.isEmpty {
                lastSnapshot = now
                let snap = engine.snapshot()
                shared.withLock { $0.snapshot = snap }
            }
        }
        conclude(&engine, &ledger)
        try? consumer.commitSync()
    }

    /// Every 0.1 s of wall time: lets the clock move event time on (idle sources) and publishes the
    /// alerts and reports that closed.
    fileprivate func tickIfDue(_ engine: inout AnalysisEngine, _ ledger: inout AlertLedger, now: Double, last: inout Double) {
        guard now - last >= 0.1 else { return }
        last = now
        engine.tick(now: Int64(now))
        publish(&engine, &ledger)
    }

    /// The analyzer's last act: publishes what is left, closes the last interval and the total, and
    /// hands them and a final snapshot to the front end.
    fileprivate func conclude(_ engine: inout AnalysisEngine, _ ledger: inout AlertLedger) {
        publish(&engine, &ledger)
        let last = engine.finish()
        let snap = engine.snapshot()
        shared.withLock {
            $0.reports.append(contentsOf: last)
            $0.snapshot = snap
        }
    }

    /// Applies the threshold and rule commands sent by the front end; returns them.
    @discardableResult
    fileprivate func applyCommands(_ engine: inout AnalysisEngine) -> [PipelineAction] {
        let commands = shared.withLock { s in defer { s.commands.removeAll() }; return s.commands }
        for c in commands {
            switch c {
            case .setThreshold(let k, let v): engine.setThreshold(k, v)
            case .setRuleEnabled(let k, let on): engine.setRuleEnabled(k, on)
            default: break
            }
        }
        return commands
    }

    /// The alert events the alerts topic already holds (its newest records), so that a replay of
    /// records this analyzer's group had already analysed publishes nothing twice. An unreadable topic
    /// leaves the ledger empty (duplicates are then possible, losses are not).
    fileprivate func readPublishedAlerts() -> AlertLedger {
        var ledger = AlertLedger()
        guard config.publishAlerts else { return ledger }  // nothing will be published: no need to know
        let records = (try? KafkaTopicReader.tail(settings: settings, topic: config.alertsTopic, count: ledger.capacity, timeoutMs: 5_000)) ?? []
        for record in records {
            guard let header = record.headers.first(where: { $0.name == AlertLedger.header }) else { continue }
            ledger.insert(String(decoding: header.value, as: UTF8.self))
        }
        return ledger
    }

    fileprivate func publish(_ engine: inout AnalysisEngine, _ ledger: inout AlertLedger) {
        let alerts = engine.takeAlerts()
        let reports = engine.takeReports()
        for a in alerts {
            guard config.publishAlerts else { continue }
            guard ledger.insert(a) else {
                alertsReplayed.add(1, ordering: .relaxed)
                continue
            }
            let key = Array("\(a.rule.rawValue)|\(a.offender ?? "")".utf8)
            let value = Array(ReportFormatter.alertJSON(a).utf8)
            let headers = [KafkaHeader(name: AlertLedger.header, value: Array(AlertLedger.key(of: a).utf8))]
            var tries = 0
            while case .queueFull = alertProducer.produce(topic: config.alertsTopic, key: key, value: value, headers: headers), tries < 1000 {
                tries += 1
                usleep(1_000)
            }
            alertsPublished.add(1, ordering: .relaxed)
        }
        if !alerts.isEmpty || !reports.isEmpty {
            shared.withLock {
                $0.alerts.append(contentsOf: alerts)
                $0.reports.append(contentsOf: reports)
            }
        }
    }
}

// MARK: - Scale-out

extension Pipeline {
    /// `.member`: aggregate the assigned partitions and publish their partials every
    /// `publishIntervalMs`; offsets are stored once the partials are delivered.
    fileprivate func runMember(_ consumer: LogConsumer, _ member: MemberPublisher) {
        var lastPublish = Date().timeIntervalSince1970
        let interval = Double(max(50, config.publishIntervalMs)) / 1000
        while !stopAnalyzer.load(ordering: .acquiring) {
            member.withLock {
                _ = try? consumer.poll(maxMessages: 5_000, timeoutMs: 50) { r in
                    member.ingest(r, cut: r.header(Self.cutHeader) != nil)
                }
            }
            if crashed.load(ordering: .acquiring) { return }
            let now = Date().timeIntervalSince1970
            if now - lastPublish >= interval {
                lastPublish = now
                let stats = consumer.stats()
                memberLag.value.store(stats.totalLag, ordering: .relaxed)
                try? consumer.store(member.publish(memberLag: stats.totalLag))
                member.heartbeat(assigned: stats.assignment, memberLag: stats.totalLag)
            }
        }
        guard !crashed.load(ordering: .acquiring) else { return }
        try? consumer.store(member.publish(memberLag: consumer.stats().totalLag))
        try? consumer.commitSync()
    }

    /// `.merged`: merge every member's partials into one engine, which evaluates the alert rules.
    fileprivate func runMerged(_ consumer: LogConsumer) {
        var engine = AnalysisEngine(config: config.engine)
        var ledger = readPublishedAlerts()
        var merge = MergeLedger()
        var lastTick = 0.0
        var lastSnapshot = 0.0
        var stopDeadline: Double?
        var idlePolls = 0
        while true {
            // When asked to stop, first merge what is already on the topic (up to 10 s).
            if stopAnalyzer.load(ordering: .acquiring) {
                let now = Date().timeIntervalSince1970
                if stopDeadline == nil { stopDeadline = now + 10 }
                if idlePolls >= 3 || now > stopDeadline! { break }
            }
            let taken = (try? consumer.poll(maxMessages: 1_000, timeoutMs: 50) { r in
                guard let partial = try? MetricsPartial(decoding: UnsafeRawBufferPointer(r.value)) else {
                    merge.countUndecodable()
                    return
                }
                if merge.admit(partial) { engine.ingest(partial) }
            }) ?? 0
            idlePolls = taken == 0 ? idlePolls + 1 : 0
            let now = Date().timeIntervalSince1970
            applyCommands(&engine)
            tickIfDue(&engine, &ledger, now: now, last: &lastTick)
            if now - lastSnapshot >= Double(config.snapshotIntervalMs) / 1000 || taken > 0 && now - lastSnapshot >= 0.05 {
                lastSnapshot = now
                let snap = engine.snapshot()
                let status = merge.current(nowMs: Int64(now * 1000))
                shared.withLock { $0.snapshot = snap }
                mergeStatus.withLock { $0 = status }
            }
        }
        let status = merge.current(nowMs: Int64(Date().timeIntervalSince1970 * 1000))
        mergeStatus.withLock { $0 = status }
        conclude(&engine, &ledger)
    }
}
