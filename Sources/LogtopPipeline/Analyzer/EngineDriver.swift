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

    /// Applies the rule commands the front end queued; true when there were any.
    mutating func applyCommands() -> Bool {
        let commands = handOver.takeCommands()
        for c in commands { engine.apply(c) }
        return !commands.isEmpty
    }

    /// Every 0.1 s of wall time: lets the clock (a paced replay's log time, else wall time) move event
    /// time on (idle sources) and publishes the
    /// alerts and reports that closed.
    mutating func tickIfDue(now: Double) {
        guard now - lastTick >= 0.1 else { return }
        lastTick = now
        engine.tick(now: replay?.tickTime(wall: now) ?? Int64(now))
        publish()
    }

    /// Hands a fresh snapshot over when one is due, when `soon` (something changed) and 50 ms have
    /// passed, or when `force`d; true when it did.
    @discardableResult
    mutating func snapshotIfDue(now: Double, soon: Bool = false, force: Bool = false) -> Bool {
        guard force || now - lastSnapshot >= snapshotInterval || soon && now - lastSnapshot >= 0.05 else { return false }
        lastSnapshot = now
        handOver.publish(snapshot: engine.snapshot())
        return true
    }

    private mutating func publish() {
        let events = engine.takeAlerts()
        let reports = engine.takeReports()
        alerts.publish(events)
        handOver.add(reports: reports, alerts: events)
    }

    /// The analyzer's last act: publishes what is left, closes the last interval and the total, and
    /// hands them and a final snapshot to the front end.
    mutating func conclude() {
        publish()
        let last = engine.finish()
        handOver.add(reports: last, alerts: [])
        handOver.publish(snapshot: engine.snapshot())
    }
}
