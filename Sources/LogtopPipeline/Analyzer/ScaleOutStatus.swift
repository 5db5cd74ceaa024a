/// What a scale-out member has done.
public struct MemberStatus: Sendable, Equatable {
    public var member = ""
    /// Lines aggregated.
    public var lines = 0
    /// Partial aggregates published, their encoded size, and how many could not be delivered.
    public var partials = 0
    public var bytes = 0
    public var failed = 0
    /// Partitions whose start offset came from the metrics topic (past the group's committed offset).
    public var resumedFromMetrics = 0

    public init() {}
}

/// One analyzer contributing to a merged view.
public struct AnalyzerStatus: Sendable, Equatable {
    public var member: String
    /// Its consumer lag (records) when it last published.
    public var lag: Int64
    /// The `logs` partitions it published for recently.
    public var partitions: [Int32]
    /// Lines it counted, as merged here.
    public var lines: Int
    /// Unix ms of its newest partial.
    public var lastSeenMs: Int64
    /// Heard from in the last `MergeLedger.activeWindowMs` (15 s).
    public var active = true
}

/// The merged view's bookkeeping: which records of each source partition the merged partials cover,
/// which it skipped as already counted, and who publishes.
public struct MergeStatus: Sendable, Equatable {
    /// Partial aggregates merged.
    public var partials = 0
    /// Partials skipped because their records were already counted (a replay).
    public var duplicates = 0
    /// Records of partials that overlapped what was counted (counted again: should stay 0).
    public var overlapRecords: Int64 = 0
    /// Records never covered by any partial (a partial lost before delivery): missing from the view.
    public var gapRecords: Int64 = 0
    /// Metrics records that could not be decoded (another version, or not logtop's).
    public var undecodable = 0
    /// Every analyzer heard from, by id; `active` says which published lately.
    public var analyzers: [AnalyzerStatus] = []

    /// Analyzers heard from lately.
    public var activeAnalyzers: [AnalyzerStatus] { analyzers.filter(\.active) }

    public init() {}
}
