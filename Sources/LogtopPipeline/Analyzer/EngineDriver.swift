import Foundation
import LogtopCore

/// What the local analyzer and the merged view do alike around their engine: apply the front end's
/// commands, tick event time on with the wall clock, publish alerts and closed reports, hand snapshots
/// over, and conclude.
struct EngineDriver: Sendable {
    var engine: AnalysisEngine
    let handOver: AnalyzerHandOver
    let alerts: AlertPublisher
    /// How often a fresh snapshot is handed to the front end, seconds.
    let snapshotInterval: Double
    /// The clock of a paced replay: the engine ticks in its log time instead of wall time (a paused
    /// or slow replay must not move event time on; a fast one moves it on as fast as the log's).
    var replay: ReplayControl?
    /// The filtered view (`--filter`): when set, reports and snapshots are the view's (with the main
    /// engine's alerts), and the main engine keeps every line for the alert rules.
    var filtered: FilteredView?
    private var lastTick = 0.0
    private var lastSnapshot = 0.0

    init(config: EngineConfig, handOver: AnalyzerHandOver, alerts: AlertPublisher, snapshotIntervalMs: Int) {
        engine = AnalysisEngine(config: config)
        self.handOver = handOver
        self.alerts = alerts
        snapshotInterval = Double(snapshotIntervalMs) / 1000
    }

    /// Reads what the alerts topic already holds (see `AlertPublisher.readPublished`): the first act of
    /// an analyzer, on its own thread.
    func start() { alerts.readPublished() }

    /// Counts one line in the main engine and, when it matches, in the filtered view.
    mutating func ingest(line: UnsafeBufferPointer<UInt8>) {
        engine.ingest(line: line)
        filtered?.offer(line)
    }

    /// Applies the rule commands the front end queued; true when there were any.
    mutating func applyCommands() -> Bool {
        let commands = handOver.takeCommands()
        for c in commands {
            if case .setFilter(let text) = c { setFilter(text); continue }
            engine.apply(c)
        }
        return !commands.isEmpty
    }

    /// A filtered view from now on (its figures count from the next line), or none: the front end
    /// checked the expression already; one that does not parse changes nothing.
    mutating func setFilter(_ text: String?) {
        guard let text, !text.allSatisfy({ $0 == " " }) else { filtered = nil; return }
        guard let f = try? LineFilter(text) else { return }
        filtered = FilteredView(filter: f, config: engine.config)
    }

    /// Every 0.1 s of wall time: lets the clock (a paced replay's log time, else wall time) move event
    /// time on (idle sources) and publishes the
    /// alerts and reports that closed.
    mutating func tickIfDue(now: Double) {
        guard now - lastTick >= 0.1 else { return }
        lastTick = now
        engine.tick(now: replay?.tickTime(wall: now) ?? Int64(now))
        filtered?.tick(mainEventTime: engine.maxEventTime)
        publish()
    }

    /// Hands a fresh snapshot over when one is due, when `soon` (something changed) and 50 ms have
    /// passed, or when `force`d; true when it did.
    @discardableResult
    mutating func snapshotIfDue(now: Double, soon: Bool = false, force: Bool = false) -> Bool {
        guard force || now - lastSnapshot >= snapshotInterval || soon && now - lastSnapshot >= 0.05 else { return false }
        lastSnapshot = now
        handOver.publish(snapshot: currentSnapshot())
        return true
    }

    private func currentSnapshot() -> Snapshot {
        let main = engine.snapshot()
        return filtered?.snapshot(main: main) ?? main
    }

    private mutating func publish() {
        let events = engine.takeAlerts()
        var reports = engine.takeReports()
        if filtered != nil {
            filtered!.remember(events)
            reports = filtered!.takeReports()
        }
        alerts.publish(events)
        handOver.add(reports: reports, alerts: events)
    }

    /// The analyzer's last act: publishes what is left, closes the last interval and the total, and
    /// hands them and a final snapshot to the front end.
    mutating func conclude() {
        publish()
        var last = engine.finish()
        if filtered != nil {
            // Alerts the last seconds raise go in the total, as the main engine's own total has them.
            filtered!.remember(engine.takeAlerts())
            last = filtered!.finish()
        }
        handOver.add(reports: last, alerts: [])
        handOver.publish(snapshot: currentSnapshot())
    }
}
