/// A report interval that is still open: every record whose time falls in it is counted here,
/// whatever order it arrives in, until the engine writes it (see `AnalysisEngine`).
struct OpenInterval: Sendable {
    let start: Int64
    /// Everything counted, with top lists exact up to `EngineConfig.exactKeys` keys each, then
    /// sketches of `EngineConfig.reportCapacity`.
    var aggregate: TrafficAggregate
    /// Requests per second of the interval (for its busiest second).
    var perSecond: [Int]
    /// How late its records arrived.
    var lateness = LatenessHistogram()
    /// Late records that arrived while it was open (its `aggregate.late`), by the start of the
    /// already written interval each belonged to.
    var missed: [Int64: Int] = [:]

    init(start: Int64, seconds: Int, capacity: Int, exactKeys: Int) {
        self.start = start
        aggregate = TrafficAggregate(capacity: capacity, exactKeys: exactKeys)
        perSecond = [Int](repeating: 0, count: seconds)
    }

    /// Distinct keys held by its top lists: what its memory grows with.
    var keys: Int { aggregate.paths.count + aggregate.clients.count + aggregate.referrers.count + aggregate.userAgents.count }
}
