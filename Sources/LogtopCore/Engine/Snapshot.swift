/// Everything a sink shows at one moment, as a value.
public struct Snapshot: Sendable, Equatable {
    /// Newest event time (Unix seconds UTC), `nil` before the first record.
    public var eventTime: Int64?
    public var watermark: Int64?
    public var windowSeconds: Int
    /// Statistics of the sliding window.
    public var window: StatsSummary
    /// Requests per second over the window, oldest first; the last entry is the newest (incomplete) second.
    public var perSecond: [Int]
    public var perSecondBytes: [Int64]
    /// Average req/s over the part of the window that has data.
    public var averageRate: Double
    public var linesSeen: Int
    public var malformed: Int
    public var late: Int
    /// Newest first.
    public var malformedSamples: [MalformedSample]
    public var malformedByReason: [MalformedReason: Int]
    public var rules: [AlertRule]
    public var active: [AlertEvaluator.Active]
    /// Newest first.
    public var recentAlerts: [AlertEvent]
    /// Records parsed in the whole run (including late ones).
    public var runTotalRequests: Int
    /// Allowed lateness of the per-second clock (live figures, alerts) and of report intervals, seconds.
    public var lateness = 0
    public var intervalLateness = 0
    /// The run's figures so far, only growing (the TOTAL of results.txt at the end): for counters.
    public var run = RunCounters()
    /// Each alert rule's value at the last second evaluated.
    public var ruleValues: [AlertKind: Double] = [:]

    /// Requests in the last complete second.
    public var currentRate: Int { perSecond.count >= 2 ? perSecond[perSecond.count - 2] : (perSecond.last ?? 0) }
    /// Busiest second in the window.
    public var peakRate: Int { perSecond.max() ?? 0 }
    /// Bytes per second over the window.
    public var averageBytesRate: Double { Double(perSecondBytes.reduce(0, +)) / Double(max(1, windowSeconds)) }

    public static let empty = AnalysisEngine().snapshot()
}
