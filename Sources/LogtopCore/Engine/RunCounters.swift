/// The run's figures so far, for monotonic counters (the metrics endpoint): every record counted up
/// to now, whether its interval is still open or already written (then it is in the run's TOTAL).
/// Each record is in exactly one of those places, and closing an interval only moves its figures into
/// the TOTAL, so every field only grows during a run; at its end they equal results.txt's TOTAL.
public struct RunCounters: Sendable, Equatable {
    public var requests = 0
    public var bytes: Int64 = 0
    /// Requests by status code (100...999; 0 collects codes outside that range), only codes seen.
    public var status: [StatusCount] = []
    /// Request times of the requests that carried one.
    public var latency = LatencyHistogram()
    /// Estimated distinct clients of the run (HyperLogLog).
    public var uniqueClients = 0
    public var malformed = 0
    public var late = 0
    /// Requests by method (`HTTPMethod.rawValue`) that this engine parsed itself; all zero in a merged
    /// view, whose partial aggregates carry no methods.
    public var methods = [Int](repeating: 0, count: HTTPMethod.allCases.count)

    public init() {}

    /// The figures (not the top lists) of `parts` added together.
    init(summing parts: [TrafficAggregate], extraMalformed: Int) {
        var codes = [Int](repeating: 0, count: 1000)
        var clients = HyperLogLog()
        for a in parts {
            requests += a.requests
            let (sum, overflow) = bytes.addingReportingOverflow(a.bytes)
            bytes = overflow ? Int64.max : sum
            if !a.statusCounts.isEmpty { for i in 0..<1000 where a.statusCounts[i] != 0 { codes[i] += a.statusCounts[i] } }
            latency.merge(a.latency)
            clients.merge(a.uniqueClients)
            malformed += a.malformed
            late += a.late
        }
        malformed += extraMalformed
        uniqueClients = clients.estimate
        for i in 0..<1000 where codes[i] != 0 { status.append(StatusCount(code: i, count: codes[i])) }
    }
}
