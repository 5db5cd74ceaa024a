/// Mergeable statistics of a stretch of traffic: one second, a window, an interval or a whole run.
public struct TrafficAggregate: Sendable {
    public private(set) var requests: Int = 0
    public private(set) var bytes: Int64 = 0
    /// Counts by status code, indexed by the code (100...999).
    public private(set) var statusCounts: [Int]
    /// Requests answered 5xx (the sum of `statusCounts[500...599]`, kept for the alert rules).
    public private(set) var serverErrors = 0
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

    /// `capacity` bounds each top list (see `TopK`); paths, clients, referrers and user agents are
    /// counted exactly up to `exactKeys` distinct keys each first (the lists of reports).
    public init(capacity: Int, exactKeys: Int? = nil) {
        statusCounts = []
        paths = TopK(capacity: capacity, exactKeys: exactKeys)
        clients = TopK(capacity: capacity, exactKeys: exactKeys)
        referrers = TopK(capacity: capacity, exactKeys: exactKeys)
        userAgents = TopK(capacity: capacity, exactKeys: exactKeys)
        notFoundClients = TopK(capacity: Swift.max(8, capacity / 4))
    }

    /// An aggregate from its figures (what `AggregateCodec` decodes): `statusCounts` is empty or 1000
    /// long, `requests` its sum and `serverErrors` the sum of its 5xx.
    init(requests: Int, bytes: Int64, statusCounts: [Int], serverErrors: Int, paths: TopK, clients: TopK,
         referrers: TopK, userAgents: TopK, notFoundClients: TopK, uniqueClients: HyperLogLog,
         latency: LatencyHistogram, malformed: Int, late: Int) {
        self.requests = requests
        self.bytes = bytes
        self.statusCounts = statusCounts
        self.serverErrors = serverErrors
        self.paths = paths
        self.clients = clients
        self.referrers = referrers
        self.userAgents = userAgents
        self.notFoundClients = notFoundClients
        self.uniqueClients = uniqueClients
        self.latency = latency
        self.malformed = malformed
        self.late = late
    }

    /// Empties it, keeping its storage and list sizes; `exactKeys` as in `init`.
    mutating func clear(exactKeys: Int? = nil) {
        requests = 0
        bytes = 0
        if !statusCounts.isEmpty { statusCounts.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
        serverErrors = 0
        paths.clear(exactKeys: exactKeys)
        clients.clear(exactKeys: exactKeys)
        referrers.clear(exactKeys: exactKeys)
        userAgents.clear(exactKeys: exactKeys)
        notFoundClients.clear(exactKeys: nil)
        uniqueClients.clear()
        latency.clear()
        malformed = 0
        late = 0
    }

    /// Sizes an empty aggregate like `model` (the previous second's): its top lists and latency
    /// histogram then fill without reallocating as they grow.
    mutating func reserve(like model: TrafficAggregate) {
        paths.reserve(like: model.paths)
        clients.reserve(like: model.clients)
        referrers.reserve(like: model.referrers)
        userAgents.reserve(like: model.userAgents)
        notFoundClients.reserve(like: model.notFoundClients)
        latency.reserve(like: model.latency)
    }

    public mutating func add(_ r: LogRecord) {
        let status = countRequest(bytes: r.bytes, status: r.status)
        if let p = r.path { Self.withKey(p) { paths.add($0, hash: $1, status: status) } }
        Self.withKey(r.client) { addClient($0, hash: $1, status: status) }
        if let ref = r.referrer { Self.withKey(ref) { referrers.add($0, hash: $1, status: 0) } }
        if let ua = r.userAgent { Self.withKey(ua) { userAgents.add($0, hash: $1, status: 0) } }
        if let us = r.requestTimeMicros { latency.record(micros: us) }
    }

    /// Counts a line that `AccessLogParser.scan` found in `s`: the same as adding its `LogRecord`, but
    /// straight from the bytes of the line (no `String`).
    mutating func add(_ f: LineFields, in s: UnsafeBufferPointer<UInt8>) {
        let status = countRequest(bytes: f.bytes, status: f.status)
        if f.path.isPresent { Self.withKey(s, f.path) { paths.add($0, hash: $1, status: status) } }
        Self.withKey(s, f.client) { addClient($0, hash: $1, status: status) }
        if f.referrer.isPresent { Self.withKey(s, f.referrer) { referrers.add($0, hash: $1, status: 0) } }
        if f.agent.isPresent { Self.withKey(s, f.agent) { userAgents.add($0, hash: $1, status: 0) } }
        if f.micros >= 0 { latency.record(micros: f.micros) }
    }

    @inline(__always)
    private mutating func addClient(_ key: UnsafeRawBufferPointer, hash: UInt64, status: Int) {
        // A client already held by `clients` is already in the HyperLogLog: every client counted there
        // is inserted here too, and merges merge both.
        if !clients.add(key, hash: hash, status: status) { uniqueClients.insert(hash: hash) }
        if status == 404 { notFoundClients.add(key, hash: hash, status: 0) }
    }

    /// Requests, bytes and the status count; returns the status as counted (0 outside 100...999).
    @inline(__always)
    private mutating func countRequest(bytes b: Int64, status code: Int) -> Int {
        requests += 1
        let (sum, overflow) = bytes.addingReportingOverflow(b)
        bytes = overflow ? Int64.max : sum
        if statusCounts.isEmpty { statusCounts = [Int](repeating: 0, count: 1000) }
        let status = (100...999).contains(code) ? code : 0
        statusCounts[status] += 1
        if status >= 500 && status < 600 { serverErrors += 1 }
        return status
    }

    /// The key of field `span` of a line as `Sanitizer` makes it: its UTF-8 bytes and their
    /// `StableHash`. Printable ASCII (almost every field) is used in place, hashed and checked in one
    /// pass; anything else is sanitised first.
    @inline(__always)
    static func withKey(_ s: UnsafeBufferPointer<UInt8>, _ span: LineFields.Span, _ body: (UnsafeRawBufferPointer, UInt64) -> Void) {
        let raw = UnsafeRawBufferPointer(s)
        let (hash, printable) = StableHash.scan(raw, span.start, span.end)
        if printable && span.count <= Sanitizer.maxFieldBytes {
            body(UnsafeRawBufferPointer(rebasing: raw[span.start..<span.end]), hash)
        } else {
            withKey(Sanitizer.string(UnsafeBufferPointer(rebasing: s[span.start..<span.end])), body)
        }
    }

    /// The UTF-8 bytes of `text` and their `StableHash`.
    @inline(__always)
    static func withKey(_ text: String, _ body: (UnsafeRawBufferPointer, UInt64) -> Void) {
        var utf8 = text
        utf8.withUTF8 { u in
            let bytes = UnsafeRawBufferPointer(u)
            body(bytes, StableHash.hash(bytes: bytes))
        }
    }

    /// The union of `parts` (such as the seconds of an interval or of the window), with top lists of
    /// `capacity` built in one pass each (see `TopK.init(merging:capacity:)`); the other figures are
    /// summed as `merge` sums them.
    init(merging parts: [TrafficAggregate], capacity: Int) {
        self.init(capacity: capacity)
        for o in parts {
            addFigures(o)
            malformed += o.malformed
            late += o.late
        }
        paths = TopK(merging: parts.map(\.paths), capacity: paths.capacity)
        clients = TopK(merging: parts.map(\.clients), capacity: clients.capacity)
        referrers = TopK(merging: parts.map(\.referrers), capacity: referrers.capacity)
        userAgents = TopK(merging: parts.map(\.userAgents), capacity: userAgents.capacity)
        notFoundClients = TopK(merging: parts.map(\.notFoundClients), capacity: notFoundClients.capacity)
    }

    public mutating func merge(_ o: TrafficAggregate) {
        addFigures(o)
        malformed += o.malformed
        late += o.late
        mergeLists(o)
    }

    /// Adds the requests of `o` (everything `merge` adds but its malformed and late counts).
    mutating func mergeRequests(_ o: TrafficAggregate) {
        addFigures(o)
        mergeLists(o)
    }

    private mutating func mergeLists(_ o: TrafficAggregate) {
        paths.merge(o.paths)
        clients.merge(o.clients)
        referrers.merge(o.referrers)
        userAgents.merge(o.userAgents)
        notFoundClients.merge(o.notFoundClients)
    }

    /// Adds the figures of the requests of `o` but its top lists: counts (bytes saturating), status
    /// codes, unique clients and latency.
    private mutating func addFigures(_ o: TrafficAggregate) {
        requests += o.requests
        serverErrors += o.serverErrors
        let (sum, overflow) = bytes.addingReportingOverflow(o.bytes)
        bytes = overflow ? Int64.max : sum
        if !o.statusCounts.isEmpty {
            if statusCounts.isEmpty { statusCounts = o.statusCounts } else {
                statusCounts.withUnsafeMutableBufferPointer { mine in
                    o.statusCounts.withUnsafeBufferPointer { theirs in
                        for i in 0..<Swift.min(mine.count, theirs.count) { mine[i] &+= theirs[i] }
                    }
                }
            }
        }
        uniqueClients.merge(o.uniqueClients)
        latency.merge(o.latency)
    }

    /// The most keys held by one of the lists a report shows (paths, clients, referrers, user agents).
    var mostKeys: Int { Swift.max(paths.count, clients.count, referrers.count, userAgents.count) }

    /// Stops counting the top lists exactly (see `TopK.endExactCounting`).
    mutating func endExactCounting() {
        paths.endExactCounting()
        clients.endExactCounting()
        referrers.endExactCounting()
        userAgents.endExactCounting()
    }

    mutating func countMalformed() { malformed += 1 }
    mutating func countLate() { late += 1 }

    /// Requests answered with a code in `range`.
    public func count(status range: ClosedRange<Int>) -> Int {
        guard !statusCounts.isEmpty else { return 0 }
        return range.reduce(0) { $0 + statusCounts[$1] }
    }

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
            latency: latencyMs, malformed: malformed, late: late,
            exact: TopExactness(paths: paths.isExact, clients: clients.isExact, referrers: referrers.isExact,
                                userAgents: userAgents.isExact))
    }
}

extension TrafficAggregate: Equatable {
    /// The same figures: counts, status codes (no histogram and an all-zero one alike), top lists (see
    /// `TopK.==`), unique-client sketch and latency histogram.
    public static func == (a: TrafficAggregate, b: TrafficAggregate) -> Bool {
        guard a.requests == b.requests, a.bytes == b.bytes, a.serverErrors == b.serverErrors,
              a.malformed == b.malformed, a.late == b.late else { return false }
        let sameStatus = a.statusCounts == b.statusCounts
            || (0..<1000).allSatisfy { (a.statusCounts.isEmpty ? 0 : a.statusCounts[$0]) == (b.statusCounts.isEmpty ? 0 : b.statusCounts[$0]) }
        return sameStatus && a.paths == b.paths && a.clients == b.clients && a.referrers == b.referrers
            && a.userAgents == b.userAgents && a.notFoundClients == b.notFoundClients
            && a.uniqueClients == b.uniqueClients && a.latency == b.latency
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
    /// Which top lists are exact (every count, hence the order; see `TopK.isExact`).
    public var exact = TopExactness()
}

/// Whether each top list of a summary is exact.
public struct TopExactness: Sendable, Equatable {
    public var paths: Bool
    public var clients: Bool
    public var referrers: Bool
    public var userAgents: Bool

    public init(paths: Bool = true, clients: Bool = true, referrers: Bool = true, userAgents: Bool = true) {
        self.paths = paths
        self.clients = clients
        self.referrers = referrers
        self.userAgents = userAgents
    }
}
