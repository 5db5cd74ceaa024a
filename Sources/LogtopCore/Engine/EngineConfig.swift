/// Settings of the analysis engine.
public struct EngineConfig: Sendable {
    /// Seconds of the sliding window behind the live figures.
    public var window = 60
    /// Seconds of each tumbling report interval.
    public var interval = 60
    /// Allowed lateness of the per-second clock: the watermark is the newest event time minus this
    /// many seconds; seconds behind it are final for the live figures and the alert rules.
    public var lateness = 5
    /// Allowed lateness of report intervals: an interval is written once the newest event time is
    /// this many seconds past its end; until then every record of the interval is counted in it.
    /// `nil`: `reportLateness` chooses (see there).
    public var intervalLateness: Int?
    /// The input is finite (files, standard input read to its end): the whole of it is known, so by
    /// default intervals stay open for `finiteLateness`.
    public var finiteInput = false
    /// Distinct keys each top list of a report (interval or total) counts exactly; past that it is
    /// a Space-Saving sketch of `reportCapacity` keys (counts with a bound on their error).
    public var exactKeys = 100_000
    /// Distinct keys (all top lists together) the open intervals may hold: past that the oldest is
    /// written early (its later records count as late). Bounds memory whatever the lateness.
    public var openIntervalKeys = 400_000
    /// After this many seconds without newer events, event time follows the wall clock (so that
    /// windows, intervals and the `rate_drop` rule move on when traffic stops).
    public var idleAdvance = 2
    /// Size of each top list per second, and of merged lists in windows and reports.
    public var secondCapacity = 128
    /// Distinct keys each top list of a second counts exactly until the second is final (it then
    /// keeps its `secondCapacity` largest): a second's records reach their interval at once, when the
    /// second is final, unless its lists pass this (then one by one, as they come).
    public var secondExactKeys = 4_096
    public var reportCapacity = 1024
    /// How many entries the summaries list.
    public var topN = 10
    /// How many malformed lines are kept for display.
    public var malformedSamples = 10
    /// How many alert events the snapshot keeps, newest first.
    public var recentAlerts = 200
    public var rules = AlertRule.defaults
    public var format: LogFormat = .auto
    public var keepQuery = false

    public init() {}

    /// Default interval lateness for finite input: one hour.
    public static let finiteLateness = 3_600

    /// The interval lateness in effect: `intervalLateness` when set; else, for finite input, the
    /// larger of `lateness` and `finiteLateness`; else `lateness`.
    public var reportLateness: Int {
        max(0, intervalLateness ?? (finiteInput ? max(lateness, Self.finiteLateness) : lateness))
    }
}

/// Lateness figures of a report: how far behind the newest event time its records arrived.
public struct LatenessFigures: Sendable, Equatable {
    /// Largest lateness seen, seconds.
    public var max: Int64
    /// 99th percentile, seconds.
    public var p99: Int64

    public init(max: Int64 = 0, p99: Int64 = 0) {
        self.max = max
        self.p99 = p99
    }

    init(_ h: LatenessHistogram) { self.init(max: h.max, p99: h.p99) }
}

/// Records that arrived after the interval starting at `start` had been written (so counted as late).
public struct LateArrivals: Sendable, Equatable {
    public var start: Int64
    public var end: Int64
    public var count: Int
}

/// A closed report interval (or the run's total when `isTotal`).
public struct IntervalReport: Sendable, Equatable {
    public var start: Int64
    /// Exclusive end.
    public var end: Int64
    public var summary: StatsSummary
    /// Busiest second's requests.
    public var peakRate: Int
    /// Alert events whose time falls in the interval.
    public var alerts: [AlertEvent]
    public var isTotal: Bool
    /// How late the records counted in it arrived (for the total: every record).
    public var lateness = LatenessFigures()
    /// Records that arrived while this interval was open but whose own interval had been written
    /// already (`summary.late` of them), by the interval they missed; for the total, all of the run.
    public var lateFor: [LateArrivals] = []
    /// The interval lateness that was in effect, seconds.
    public var allowedLateness = 0

    public var seconds: Int64 { max(1, end - start) }
    public var averageRate: Double { Double(summary.requests) / Double(seconds) }
}

/// A malformed line kept for display, already sanitised and cut.
public struct MalformedSample: Sendable, Equatable {
    public var reason: MalformedReason
    public var text: String
}
