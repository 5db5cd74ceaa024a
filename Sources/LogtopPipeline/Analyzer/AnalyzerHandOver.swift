import LogtopCore
import Synchronization

/// Where the analyzer thread and the front end meet: the analyzer leaves its latest snapshot, the
/// interval reports and alert events that closed, and a merged view's bookkeeping; the front end takes
/// them, and leaves the rule commands (thresholds, enabling) for the analyzer to apply.
final class AnalyzerHandOver: Sendable {
    private struct State: Sendable {
        var snapshot: Snapshot
        var reports: [IntervalReport] = []
        var alerts: [AlertEvent] = []
        var commands: [Command] = []
        var merge: MergeStatus?
    }

    private let state: Mutex<State>

    init(snapshot: Snapshot) { state = Mutex(State(snapshot: snapshot)) }

    // MARK: Analyzer side

    func publish(snapshot: Snapshot) { state.withLock { $0.snapshot = snapshot } }

    func publish(merge: MergeStatus) { state.withLock { $0.merge = merge } }

    func add(reports: [IntervalReport], alerts: [AlertEvent]) {
        guard !reports.isEmpty || !alerts.isEmpty else { return }
        state.withLock {
            $0.reports.append(contentsOf: reports)
            $0.alerts.append(contentsOf: alerts)
        }
    }

    /// The commands queued since the last call.
    func takeCommands() -> [Command] { state.withLock { s in defer { s.commands.removeAll() }; return s.commands } }

    // MARK: Front-end side

    func queue(_ command: Command) { state.withLock { $0.commands.append(command) } }

    var snapshot: Snapshot { state.withLock { $0.snapshot } }

    var merge: MergeStatus? { state.withLock { $0.merge } }

    func takeReports() -> [IntervalReport] { state.withLock { s in defer { s.reports.removeAll() }; return s.reports } }

    func takeAlerts() -> [AlertEvent] { state.withLock { s in defer { s.alerts.removeAll() }; return s.alerts } }
}
