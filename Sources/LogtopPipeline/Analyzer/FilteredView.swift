import LogtopCore

/// The filtered view of a run (`--filter`): a second engine beside the main one, fed only the lines
/// that match, without alert rules of its own. The main engine keeps seeing all traffic (its rules
/// fire as usual); the view's reports and snapshot carry the main engine's alerts and rules. Memory:
/// one more engine (bounded as every engine) and the main alerts of the intervals not written yet.
struct FilteredView: Sendable {
    let filter: LineFilter
    var engine: AnalysisEngine
    private var parser: AccessLogParser
    /// The main engine's alert events, for the view's reports (the oldest dropped past `maxAlerts`).
    private var alerts: [AlertEvent] = []
    private static let maxAlerts = 10_000

    init(filter: LineFilter, config: EngineConfig) {
        self.filter = filter
        var c = config
        c.rules = []
        engine = AnalysisEngine(config: c)
        parser = AccessLogParser(format: config.format, keepQuery: config.keepQuery)
    }

    /// Counts `line` when it matches.
    mutating func offer(_ line: UnsafeBufferPointer<UInt8>) {
        if filter.matches(line: line, parser: &parser) { engine.ingest(line: line) }
    }

    /// Moves the view's event time on with the main engine's (`mainEventTime` is its clock), so that
    /// its intervals close even when few lines match.
    mutating func tick(mainEventTime: Int64?) {
        if let t = mainEventTime { engine.tick(now: t) }
    }

    mutating func remember(_ events: [AlertEvent]) {
        alerts += events
        if alerts.count > Self.maxAlerts { alerts.removeFirst(alerts.count - Self.maxAlerts) }
    }

    /// The view's closed reports, each with the main engine's alerts of its time.
    mutating func takeReports() -> [IntervalReport] { withAlerts(engine.takeReports()) }

    mutating func finish() -> [IntervalReport] { withAlerts(engine.finish()) }

    private func withAlerts(_ reports: [IntervalReport]) -> [IntervalReport] {
        reports.map { r in
            var r = r
            r.alerts = r.isTotal ? alerts : alerts.filter { $0.time >= r.start && $0.time < r.end }
            return r
        }
    }

    /// The view's snapshot with the main engine's rules and alerts, and its line counts (lines
    /// analysed, malformed, late: figures of the pipeline, not of the view).
    func snapshot(main: Snapshot) -> Snapshot {
        var s = engine.snapshot()
        s.linesSeen = main.linesSeen
        s.malformed = main.malformed
        s.late = main.late
        s.malformedSamples = main.malformedSamples
        s.malformedByReason = main.malformedByReason
        s.rules = main.rules
        s.active = main.active
        s.recentAlerts = main.recentAlerts
        return s
    }
}
