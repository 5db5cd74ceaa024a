/// Mergeable statistics of a stretch of traffic: one second, a window, an interval or a whole run.
public struct TrafficAggregate: Sendable {
    public private(set) var requests: Int = 0
    public private(set) var bytes: Int64 = 0
    /// Counts by status code, indexed by the code (100...999).
    public private(set) var statusCounts: [Int]
    public var paths: TopK
    public var clients: TopK
    public var referrers: TopK
    public var userAgents: TopK
    /// Clients that received 404s: who is scanning.
    public var notFoundClients: TopK
    public var uniqueClients = HyperLogLog()
    public var latency = LatencyHistogram()
    public var malformed: Int = 0
    public var late: Int = 0

    /// `capacity` bounds each top list (see `TopK`).
    public init(capacity: Int) {
        statusCounts = []
        paths = TopK(capacity: capacity)
        clients = TopK(capacity: capacity)
        referrers = TopK(capacity: capacity)
        userAgents = TopK(capacity: capacity)
        notFoundClients = TopK(capacity: Swift.max(8, capacity / 4))
    }

    public mutating func add(_ r: LogRecord) {
        requests += 1
        let (sum, overflow) = bytes.addingReportingOverflow(r.bytes)
        bytes = overflow ? Int64.max : sum
        if statusCounts.isEmpty { statusCounts = [Int](repeating: 0, count: 1000) }
        let status = (100...999).contains(r.status) ? r.status : 0
        statusCounts[status] += 1
        if let p = r.path { paths.add(p, status: status) }
        clients.add(r.client, status: status)
        if let ref = r.referrer { referrers.add(ref) }
        if let ua = r.userAgent { userAgents.add(ua) }
        if status == 404 { notFoundClients.add(r.client) }
        uniqueClients.insert(r.client)
        if let us = r.requestTimeMicros { latency.record(micros: us) }
    }

    public mutating func merge(_ o: TrafficAggregate) {
        requests += o.requests
        let (sum, overflow) = bytes.addingReportingOverflow(o.bytes)
        bytes = overflow ? Int64.max : sum
        if !o.statusCounts.isEmpty {
            if statusCounts.isEmpty { statusCounts = o.statusCounts } else {
                for i in 0..<1000 where o.statusCounts[i] != 0 { statusCounts[i] += o.statusCounts[i] }
            }
        }
        paths.merge(o.paths)
        clients.merge(o.clients)
        referrers.merge(o.referrers)
        userAgents.merge(o.userAgents)
        notFoundClients.merge(o.notFoundClients)
        uniqueClients.merge(o.uniqueClients)
        latency.merge(o.latency)
        malformed += o.malformed
        late += o.late
    }

    mutating func countMalformed() { malformed += 1 }
    mutating func countLate() { late += 1 }

    /// Requests answered with a code in `range`.
    public func count(status range: ClosedRange<Int>) -> Int {
        guard !statusCounts.isEmpty else { return 0 }
        return range.reduce(0) { $0 + statusCounts[$1] }
    }

    public var serverErrors: Int { count(status: 500...599) }
    public var notFound: Int { statusCounts.isEmpty ? 0 : statusCounts[404] }

    /// A printable summary with the `n` largest of each top list.
    public func summary(top n: Int = 10) -> StatsSummary {
        var codes: [StatusCount] = []
        var classes = [Int](repeating: 0, count: 5)
        if !statusCounts.isEmpty {
            for code in 0..<1000 where statusCounts[code] != 0 {
                codes.append(StatusCount(code: code, count: statusCounts[code]))
                if code >= 100, code < 600 { classes[code / 100 - 1] += statusCounts[code] }
            }
        }
        let latencyMs: LatencyPercentiles? = latency.total == 0 ? nil : LatencyPercentiles(
            p50: Double(latency.percentile(0.50) ?? 0) / 1000,
            p95: Double(latency.percentile(0.95) ?? 0) / 1000,
            p99: Double(latency.percentile(0.99) ?? 0) / 1000,
            samples: latency.total)
        return StatsSummary(
            requests: requests, bytes: bytes, status: codes, classes: classes,
            errorRate: requests == 0 ? 0 : Double(serverErrors) / Double(requests),
            topPaths: paths.top(n), topClients: clients.top(n), topReferrers: referrers.top(n),
            topUserAgents: userAgents.top(n), uniqueClients: uniqueClients.estimate,
            latency: latencyMs, malformed: malformed, late: late)
    }
}

/// One status code and how many responses had it.
public struct StatusCount: Sendable, Equatable {
    public var code: Int
    public var count: Int
}

/// Latency percentiles in milliseconds.
public struct LatencyPercentiles: Sendable, Equatable {
    public var p50: Double
    public var p95: Double
    public var p99: Double
    /// Requests that carried a request time.
    public var samples: Int
}

/// The figures of an aggregate, ready to show or report.
public struct StatsSummary: Sendable, Equatable {
    public var requests: Int
    public var bytes: Int64
    /// Status codes present, ascending (code 0 collects codes outside 100...999).
    public var status: [StatusCount]
    /// Requests by class 1xx...5xx.
    public var classes: [Int]
    /// Share of 5xx responses, 0...1.
    public var errorRate: Double
    public var topPaths: [TopEntry]
    public var topClients: [TopEntry]
    public var topReferrers: [TopEntry]
    public var topUserAgents: [TopEntry]
    public var uniqueClients: Int
    public var latency: LatencyPercentiles?
    public var malformed: Int
    public var late: Int
}
