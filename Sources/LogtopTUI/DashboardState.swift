import LogtopCore

/// What the person at the dashboard has chosen: the view, not the data. Changed only by `KeyMap`.
public struct DashboardState: Sendable, Equatable {
    /// The alert rule whose threshold the arrow keys change.
    public var selectedRule: AlertKind = .errorRate
    public var topList: TopListMode = .urls
    public var sort: TopListSort = .hits
    /// While frozen, the traffic panes show this snapshot; the pipeline keeps running.
    public var frozenSnapshot: Snapshot?
    public var helpVisible = false
    /// Alert-log lines scrolled past (0: newest first at the top).
    public var alertScroll = 0
    /// Events hidden by "clear alert log".
    public var clearedAlerts: AlertLogMark?
    /// Thresholds and switches sent to the analyzer and not yet seen in a snapshot: shown at once, and
    /// the base of the next key press (so two quick presses make two steps).
    public var pendingThresholds: [AlertKind: Double] = [:]
    public var pendingEnabled: [AlertKind: Bool] = [:]
    /// A passing message for the footer, until `flashUntil` (wall seconds).
    public var flash: String?
    public var flashUntil: Int64 = 0
    /// The filter being typed after `/` (nil: not typing), and what is wrong with it after `Enter`.
    public var filterInput: String?
    public var filterError: FilterError?
    /// The filter in force (sent to the analyzer), and the event time from which it counts.
    public var filter: String?
    public var filterSince: Int64?
    /// The top-list row selected for a drill-down (`n`/`N` move it, `Enter` drills), nil when none.
    public var selectedRow: Int?
    /// The row drilled into (`top-list column` and key, e.g. `path /api/v1/cart`): the filter in force
    /// is on that key alone.
    public var drill: String?
    /// The person asked to quit.
    public var quitRequested = false

    public init() {}

    public var isFrozen: Bool { frozenSnapshot != nil }

    /// Rules as they are now: the snapshot's, with the changes still on their way applied.
    public func rules(_ feed: DashboardFeed) -> [AlertRule] {
        feed.snapshot.rules.map { r in
            var r = r
            if let t = pendingThresholds[r.kind] { r.threshold = t }
            if let e = pendingEnabled[r.kind] { r.enabled = e }
            return r
        }
    }

    /// Forgets pending changes the analyzer has applied, and a flash that has expired.
    public mutating func reconcile(with feed: DashboardFeed) {
        for r in feed.snapshot.rules {
            if let t = pendingThresholds[r.kind], abs(t - r.threshold) < 1e-9 { pendingThresholds[r.kind] = nil }
            if let e = pendingEnabled[r.kind], e == r.enabled { pendingEnabled[r.kind] = nil }
        }
        if flash != nil, feed.now >= flashUntil { flash = nil }
    }

    /// The alert events to list, newest first, without those cleared.
    public func visibleAlerts(_ snapshot: Snapshot) -> [AlertEvent] {
        guard let mark = clearedAlerts else { return snapshot.recentAlerts }
        return snapshot.recentAlerts.filter { !mark.hides($0) }
    }
}

/// Which alert events "clear alert log" hid: everything up to a time, and the events of that very
/// second that were already listed.
public struct AlertLogMark: Sendable, Equatable {
    public var through: Int64
    public var keys: Set<String>

    public init(events: [AlertEvent]) {
        let newest = events.map(\.time).max() ?? Int64.min
        through = newest
        keys = Set(events.filter { $0.time == newest }.map(Self.key))
    }

    static func key(_ e: AlertEvent) -> String { "\(e.id)|\(e.state.rawValue)" }

    public func hides(_ e: AlertEvent) -> Bool { e.time < through || (e.time == through && keys.contains(Self.key(e))) }
}
