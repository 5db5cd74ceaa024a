/// Settings of the analysis engine.
public struct EngineConfig: Sendable {
    /// Seconds of the sliding window behind the live figures.
    public var window = 60
    /// Seconds of each tumbling report interval.
    public var interval = 60
    /// Allowed lateness: the watermark is the newest event time minus this many seconds.
    public var lateness = 5
    /// After this many seconds without newer events, event time follows the wall clock (so that
    /// windows, intervals and the `rate_drop` rule move on when traffic stops).
    public var idleAdvance = 2
    /// Size of each top list per second, and of merged lists in windows and reports.
    public var secondCapacity = 128
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

    public var seconds: Int64 { max(1, end - start) }
    public var averageRate: Double { Double(summary.requests) / Double(seconds) }
}

/// A malformed line kept for display, already sanitised and cut.
public struct MalformedSample: Sendable, Equatable {
    public var reason: MalformedReason
    public var text: String
}

/// The whole analysis: parse lines, bucket them per second of event time, roll windows and
/// intervals forward with the watermark, evaluate alert rules, and describe it all as values.
///
/// Deterministic and single-owner: no clock (the caller passes wall time to `tick`), no I/O, no locks.
/// Memory is bounded: per-second buckets are kept only for the window, the longest alert rule and the
/// open interval; every list inside is a bounded sketch.
public struct AnalysisEngine: Sendable {
    public private(set) var config: EngineConfig
    private var parser: AccessLogParser
    private var buckets = SecondBuckets()
    /// Smallest key of `buckets` after the last eviction (records only add keys at or after it, or late).
    private var oldestBucket: Int64?
    /// Newest event time seen (or advanced by the wall clock when idle).
    public private(set) var maxEventTime: Int64?
    private var nextIntervalStart: Int64?
    private var nextEval: Int64?
    private var evaluator: AlertEvaluator
    private var unreportedAlerts: [AlertEvent] = []
    private var recent: [AlertEvent] = []
    private var reports: [IntervalReport] = []
    private var newAlerts: [AlertEvent] = []
    private var total: TrafficAggregate
    private var totalPeak = 0
    private var totalStart: Int64?
    private var totalEnd: Int64?
    private var totalAlerts: [AlertEvent] = []
    private var orphanMalformed = 0
    private var firstEventTime: Int64?
    private var samples: [MalformedSample] = []
    private var clockAdvanced = false
    private var anchor: (wall: Int64, event: Int64)?
    private var anchorDirty = false
    /// The latency histogram of the `latency_p95` window evaluated last, seconds `latencyFrom...latencyTo`
    /// (slid by one second each second: see `latencyWindow`).
    private var latencyHistogram = LatencyHistogram()
    private var latencyFrom: Int64 = 0
    private var latencyTo: Int64 = .min
    /// Lines seen: parsed + malformed.
    public private(set) var linesSeen = 0
    public private(set) var malformedCount = 0
    public private(set) var lateCount = 0
    public private(set) var malformedByReason: [MalformedReason: Int] = [:]

    public init(config: EngineConfig = EngineConfig()) {
        var c = config
        c.window = max(1, c.window)
        c.interval = max(1, c.interval)
        c.lateness = max(0, c.lateness)
        self.config = c
        parser = AccessLogParser(format: c.format, keepQuery: c.keepQuery)
        evaluator = AlertEvaluator(rules: c.rules)
        total = TrafficAggregate(capacity: c.reportCapacity)
    }

    /// Watermark: seconds strictly below it are final.
    public var watermark: Int64? { maxEventTime.map { $0 - Int64(config.lateness) } }

    public var rules: [AlertRule] { evaluator.rules }

    /// Applies a front end's command to the alert rules (see `AlertEvaluator.apply`).
    public mutating func apply(_ command: Command) { evaluator.apply(command) }

    // MARK: - Input

    /// Parse and count one line (bytes, with or without newline).
    public mutating func ingest(line: UnsafeBufferPointer<UInt8>) {
        var fields = LineFields()
        switch parser.scan(line, into: &fields) {
        case .fields(let s): ingest(fields, s)
        case .json:
            switch parser.parse(line) {
            case .record(let r): ingest(r)
            case .malformed(let reason): countMalformed(reason, line)
            }
        case .malformed(let reason): countMalformed(reason, line)
        }
    }

    /// Count a line that a reader already knows to be malformed (e.g. cut because it was too long).
    public mutating func ingestMalformed(_ reason: MalformedReason, line: UnsafeBufferPointer<UInt8>) {
        countMalformed(reason, line)
    }

    public mutating func ingest(line: String) {
        var copy = line
        copy.withUTF8 { ingest(line: $0) }
    }

    /// Count one parsed record.
    public mutating func ingest(_ r: LogRecord) {
        linesSeen += 1
        guard let maxT = maxEventTime else {
            start(at: r.time)
            withBucket(r.time) { $0.add(r) }
            return
        }
        if r.time < maxT - Int64(config.lateness) {
            lateCount += 1
            total.add(r)
            withBucket(maxT) { $0.countLate() }
            return
        }
        withBucket(r.time) { $0.add(r) }
        if r.time > maxT {
            maxEventTime = r.time
            anchorDirty = true
            advance()
        }
    }

    /// `ingest(_:)` for a line the parser scanned (no `LogRecord`: see `LineFields`).
    private mutating func ingest(_ f: LineFields, _ s: UnsafeBufferPointer<UInt8>) {
        linesSeen += 1
        let t = f.time
        guard let maxT = maxEventTime else {
            start(at: t)
            withBucket(t) { $0.add(f, in: s) }
            return
        }
        if t < maxT - Int64(config.lateness) {
            lateCount += 1
            total.add(f, in: s)
            withBucket(maxT) { $0.countLate() }
            return
        }
        withBucket(t) { $0.add(f, in: s) }
        if t > maxT {
            maxEventTime = t
            anchorDirty = true
            advance()
        }
    }

    // MARK: - Merged input (scale-out)

    /// Counts `aggregate`, the lines of event second `t` as another analyzer aggregated them (a second
    /// of a `MetricsPartial`, or several merged), as if they had been ingested here one by one: the
    /// bucket of second `t` takes them, or, when `t` is below the watermark, they go to the run's
    /// total and count as late, as late lines do; event time, intervals and alert rules move on as
    /// usual. `aggregate.malformed` lines count as malformed lines met at second `t`, and
    /// `malformedByReason` (typically a record's, given with one of its seconds) says why;
    /// `aggregate.late` lines (ones its producer already found late) add to the late count.
    ///
    /// Given every second complete (the aggregates of all members for it) and in ascending order, the
    /// figures and alerts are those of a single analyzer that ingested the lines, as long as that one
    /// found none of them late; top lists are exact while every second's keys fit `secondCapacity`
    /// (merged sketches). Only where malformed lines are counted may differ by a few seconds (see
    /// `PartialAggregator`).
    public mutating func ingest(partial aggregate: TrafficAggregate, second t: Int64,
                                malformedByReason: [MalformedReason: Int] = [:]) {
        for (reason, n) in malformedByReason { self.malformedByReason[reason, default: 0] += n }
        guard aggregate.requests > 0 || aggregate.malformed > 0 || aggregate.late > 0 else { return }
        linesSeen += aggregate.requests + aggregate.malformed
        malformedCount += aggregate.malformed
        lateCount += aggregate.late
        guard let maxT = maxEventTime else {
            start(at: t)
            withBucket(t) { $0.merge(aggregate) }
            return
        }
        if t < maxT - Int64(config.lateness) {
            lateCount += aggregate.requests
            var counted = aggregate
            counted.malformed = 0
            counted.late = 0
            total.merge(counted)
            withBucket(maxT) {
                $0.late += aggregate.requests + aggregate.late
                $0.malformed += aggregate.malformed
            }
            return
        }
        withBucket(t) { $0.merge(aggregate) }
        if t > maxT {
            maxEventTime = t
            anchorDirty = true
            advance()
        }
    }

    /// Counts malformed lines known only by reason (no line to sample, no second), met at the newest
    /// event time: what a `MetricsPartial` without seconds carries.
    public mutating func ingestMalformed(_ byReason: [MalformedReason: Int]) {
        var n = 0
        for (reason, count) in byReason where count > 0 {
            malformedByReason[reason, default: 0] += count
            n += count
        }
        guard n > 0 else { return }
        linesSeen += n
        malformedCount += n
        if let t = maxEventTime { withBucket(t) { $0.malformed += n } } else { orphanMalformed += n }
    }

    /// Counts every second of `partial` in order (see `ingest(partial:second:malformedByReason:)`)
    /// and its malformed lines. For records of one member, or of several already ordered by event
    /// time; to merge members exactly, give each second complete, in ascending order.
    public mutating func ingest(_ partial: MetricsPartial) {
        guard let first = partial.seconds.first else {
            ingestMalformed(partial.malformedByReason)
            return
        }
        ingest(partial: first.aggregate, second: first.second, malformedByReason: partial.malformedByReason)
        for s in partial.seconds.dropFirst() { ingest(partial: s.aggregate, second: s.second) }
    }

    /// The bucket of second `t`, to change in place; a missing one is created, sized like the newest
    /// second's so that it does not grow step by step.
    @inline(__always)
    private mutating func withBucket(_ t: Int64, _ body: (inout TrafficAggregate) -> Void) {
        if t <= latencyTo { latencyTo = .min }  // a second already in the latency window changes
        if !buckets.contains(t) {
            var fresh = TrafficAggregate(capacity: config.secondCapacity)
            if let newest = maxEventTime { buckets.read(newest) { fresh.reserve(like: $0.pointee) } }
            buckets.add(t, fresh)
        }
        buckets.modify(t, body)
    }

    private mutating func start(at t: Int64) {
        maxEventTime = t
        firstEventTime = t
        anchorDirty = true
        let i = Int64(config.interval)
        nextIntervalStart = floorDiv(t, i) * i
        nextEval = t
        totalStart = nextIntervalStart
    }

    private mutating func countMalformed(_ reason: MalformedReason, _ line: UnsafeBufferPointer<UInt8>) {
        linesSeen += 1
        malformedCount += 1
        malformedByReason[reason, default: 0] += 1
        if let t = maxEventTime { withBucket(t) { $0.countMalformed() } } else { orphanMalformed += 1 }
        let cut = UnsafeBufferPointer(rebasing: line[0..<min(line.count, 160)])
        var text = Sanitizer.string(cut, limit: 200)
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        if line.count > 160 { text += "…" }
        samples.append(MalformedSample(reason: reason, text: text))
        if samples.count > config.malformedSamples { samples.removeFirst(samples.count - config.malformedSamples) }
    }

    // MARK: - Time

    /// Let wall-clock time (`now`, Unix seconds) move event time on when no newer events arrive.
    public mutating func tick(now: Int64) {
        guard let maxT = maxEventTime else { return }
        if anchorDirty || anchor == nil {
            anchor = (now, maxT)
            anchorDirty = false
            return
        }
        guard let a = anchor, now - a.wall >= Int64(config.idleAdvance) else { return }
        let target = a.event + (now - a.wall)
        if target > maxT {
            maxEventTime = target
            clockAdvanced = true
            advance()
        }
    }

    private var longestRuleSpan: Int64 {
        Int64(evaluator.rules.map { $0.window + $0.baseline }.max() ?? 0)
    }

    private mutating func advance(through closedEnd: Int64? = nil) {
        guard let maxT = maxEventTime, var eval = nextEval, var next = nextIntervalStart else { return }
        let w = closedEnd ?? (maxT - Int64(config.lateness))  // seconds < w are closed
        if w - eval > 2 * longestRuleSpan + 60 { eval = w - longestRuleSpan - 1 }  // long gap: skip ahead
        while eval < w {
            evaluate(at: eval)
            eval += 1
        }
        nextEval = eval
        let i = Int64(config.interval)
        while next + i <= w || (closedEnd != nil && next < w) {
            let end = min(next + i, w)
            let hasData = buckets.keys.contains { $0 >= next && $0 < end }
            if hasData || clockAdvanced || orphanMalformed > 0 {
                closeInterval(next, end)
            } else if let firstLater = buckets.keys.filter({ $0 >= end }).min() {
                next = floorDiv(firstLater, i) * i
                continue
            }
            next += i
        }
        nextIntervalStart = next
        clockAdvanced = false
        let keep = max(Int64(config.window), longestRuleSpan) + Int64(config.lateness) + 2
        let horizon = min(next, maxT - keep)
        if let oldest = oldestBucket, oldest < horizon {
            let expired = buckets.keys.filter { $0 < horizon }
            for key in expired { buckets.removeValue(forKey: key) }
        }
        oldestBucket = buckets.keys.min()
    }

    private mutating func closeInterval(_ start: Int64, _ end: Int64) {
        var parts: [TrafficAggregate] = []
        var peak = 0
        for s in start..<end {
            buckets.read(s) { b in
                parts.append(b.pointee)
                peak = max(peak, b.pointee.requests)
            }
        }
        var agg = TrafficAggregate(merging: parts, capacity: config.reportCapacity)
        if orphanMalformed > 0 {
            for _ in 0..<orphanMalformed { agg.countMalformed() }
            orphanMalformed = 0
        }
        let alerts = unreportedAlerts.filter { $0.time < end }
        unreportedAlerts.removeAll { $0.time < end }
        total.merge(agg)
        totalPeak = max(totalPeak, peak)
        totalEnd = end
        totalAlerts.append(contentsOf: alerts)
        reports.append(IntervalReport(start: start, end: end, summary: agg.summary(top: config.topN), peakRate: peak,
                                      alerts: alerts, isTotal: false))
    }

    // MARK: - Alerts

    private mutating func evaluate(at s: Int64) {
        for (index, rule) in evaluator.rules.enumerated() {
            let m: AlertMeasurement
            if !rule.enabled {
                m = AlertMeasurement(value: nil)
            } else if rule.kind == .latencyP95 {
                m = measure(rule, at: s, latency: latencyWindow(rule.window, endingAt: s))
            } else {
                m = measure(rule, at: s, frozenBaseline: evaluator.frozenBaseline(index))
            }
            if let e = evaluator.step(index, at: s, m) {
                unreportedAlerts.append(e)
                newAlerts.append(e)
                recent.insert(e, at: 0)
                if recent.count > config.recentAlerts { recent.removeLast() }
            }
        }
    }

    private func requests(_ from: Int64, _ to: Int64) -> Int {
        var n = 0
        for s in from...to { n += buckets.read(s) { $0.pointee.requests } ?? 0 }
        return n
    }

    /// The latency histogram of seconds `s - window + 1 ... s`. Evaluated one second after another, the
    /// window of the previous second is slid (the new second added, the one that left subtracted)
    /// rather than merged again from every second: the seconds evaluated are closed (below the
    /// watermark, so only late-counted records arrive for them, which leave the buckets' latency
    /// alone) and still held (buckets are kept for the longest rule span and more).
    mutating func latencyWindow(_ window: Int, endingAt s: Int64) -> LatencyHistogram {
        let from = s - Int64(window) + 1
        if latencyTo == s - 1, latencyFrom == from - 1 {
            if let left = buckets.read(from - 1, { $0.pointee.latency }) { latencyHistogram.subtract(left) }
            if let new = buckets.read(s, { $0.pointee.latency }) { latencyHistogram.merge(new) }
        } else {
            var h = LatencyHistogram()
            for t in from...s { if let part = buckets.read(t, { $0.pointee.latency }) { h.merge(part) } }
            latencyHistogram = h
        }
        latencyFrom = from
        latencyTo = s
        var largest: Int64 = 0
        for t in from...s { largest = max(largest, buckets.read(t) { $0.pointee.latency.max } ?? 0) }
        latencyHistogram.setMax(largest)
        return latencyHistogram
    }

    /// The value of `rule` over the window ending at second `s` (inclusive); `latency` is the latency
    /// histogram of that window when the caller has it.
    func measure(_ rule: AlertRule, at s: Int64, frozenBaseline: Double? = nil, latency: LatencyHistogram? = nil) -> AlertMeasurement {
        let w = Int64(rule.window)
        let from = s - w + 1
        let count = requests(from, s)
        switch rule.kind {
        case .errorRate:
            guard count >= max(1, rule.minVolume) else { return AlertMeasurement(value: nil) }
            var errors = 0
            for t in from...s { errors += buckets.read(t) { $0.pointee.serverErrors } ?? 0 }
            return AlertMeasurement(value: 100 * Double(errors) / Double(count))
        case .rateHigh:
            guard count >= rule.minVolume else { return AlertMeasurement(value: nil) }
            return AlertMeasurement(value: Double(count) / Double(w))
        case .rateSpike, .rateDrop:
            let rate = Double(count) / Double(w)
            let baseline: Double
            if let frozenBaseline {
                baseline = frozenBaseline
            } else {
                let b = Int64(rule.baseline)
                guard b > 0, let first = firstEventTime, from - b >= first else { return AlertMeasurement(value: nil) }
                let before = requests(from - b, from - 1)
                guard before >= max(1, rule.minVolume) else { return AlertMeasurement(value: nil) }
                if rule.kind == .rateSpike, count < rule.minVolume { return AlertMeasurement(value: nil) }
                baseline = Double(before) / Double(b)
            }
            guard baseline > 0 else { return AlertMeasurement(value: nil) }
            return AlertMeasurement(value: rate / baseline, baselineRate: baseline)
        case .notFoundSurge:
            guard count >= rule.minVolume else { return AlertMeasurement(value: nil) }
            var notFound = 0
            for t in from...s { notFound += buckets.read(t) { $0.pointee.notFound } ?? 0 }
            let value = Double(notFound) / Double(w)
            // The offender is only worth finding when the rule may fire.
            let offender = value >= rule.threshold * rule.resolveRatio ? topKey(from, s, \.notFoundClients)?.key : nil
            return AlertMeasurement(value: value, offender: offender)
        case .clientFlood:
            guard count >= rule.minVolume else { return AlertMeasurement(value: nil) }
            // Cheap upper bound first: the sum of each second's busiest count.
            var bound = 0
            for t in from...s { bound += buckets.read(t) { $0.pointee.clients.maxCount } ?? 0 }
            if Double(bound) / Double(w) < rule.threshold * rule.resolveRatio {
                return AlertMeasurement(value: Double(bound) / Double(w))
            }
            guard let top = topKey(from, s, \.clients) else { return AlertMeasurement(value: 0) }
            return AlertMeasurement(value: Double(top.count) / Double(w), offender: top.key)
        case .latencyP95:
            var h = latency ?? LatencyHistogram()
            if latency == nil { for t in from...s { buckets.read(t) { h.merge($0.pointee.latency) } } }
            guard h.total >= max(1, rule.minVolume), let p95 = h.percentile(0.95) else { return AlertMeasurement(value: nil) }
            return AlertMeasurement(value: Double(p95) / 1000)
        }
    }

    /// The key with the largest count over seconds `from...to` of the sketch at `path`: candidates
    /// are each second's few largest keys, summed over every second.
    private func topKey(_ from: Int64, _ to: Int64, _ path: KeyPath<TrafficAggregate, TopK>) -> (key: String, count: Int)? {
        var candidates = Set<String>()
        for t in from...to {
            buckets.read(t) { b in
                for e in b.pointee[keyPath: path].top(3) { candidates.insert(e.key) }
            }
        }
        var best: (key: String, count: Int)?
        for c in candidates {
            var n = 0
            for t in from...to { n += buckets.read(t) { $0.pointee[keyPath: path].estimate(c) } ?? 0 }
            if best == nil || n > best!.count || (n == best!.count && c < best!.key) { best = (c, n) }
        }
        return best
    }

    // MARK: - Output

    /// Interval reports closed since the last call.
    public mutating func takeReports() -> [IntervalReport] {
        defer { reports.removeAll() }
        return reports
    }

    /// Alert events raised since the last call, oldest first.
    public mutating func takeAlerts() -> [AlertEvent] {
        defer { newAlerts.removeAll() }
        return newAlerts
    }

    /// Ends the run: closes every second and interval (the last one partial) and returns the remaining
    /// interval reports followed by the total.
    public mutating func finish() -> [IntervalReport] {
        if let maxT = maxEventTime { advance(through: maxT + 1) }
        var out = takeReports()
        if orphanMalformed > 0 { total.malformed += orphanMalformed; orphanMalformed = 0 }
        let start = totalStart ?? 0
        let end = max(totalEnd ?? start, start)
        out.append(IntervalReport(start: start, end: end, summary: total.summary(top: config.topN), peakRate: totalPeak,
                                  alerts: totalAlerts, isTotal: true))
        return out
    }

    /// The live view: the sliding window ending at the newest event time.
    public func snapshot() -> Snapshot {
        var parts: [TrafficAggregate] = []
        var series = [Int](repeating: 0, count: config.window)
        var byteSeries = [Int64](repeating: 0, count: config.window)
        if let maxT = maxEventTime {
            let from = maxT - Int64(config.window) + 1
            for s in from...maxT {
                buckets.read(s) { b in
                    parts.append(b.pointee)
                    series[Int(s - from)] = b.pointee.requests
                    byteSeries[Int(s - from)] = b.pointee.bytes
                }
            }
        }
        let agg = TrafficAggregate(merging: parts, capacity: config.reportCapacity)
        var coveredSeconds = 1
        if let m = maxEventTime, let first = firstEventTime {
            coveredSeconds = Int(max(1, min(Int64(config.window), m - first + 1)))
        }
        return Snapshot(
            eventTime: maxEventTime, watermark: watermark, windowSeconds: config.window,
            window: agg.summary(top: config.topN), perSecond: series, perSecondBytes: byteSeries,
            averageRate: Double(agg.requests) / Double(coveredSeconds),
            linesSeen: linesSeen, malformed: malformedCount, late: lateCount,
            malformedSamples: samples.reversed(), malformedByReason: malformedByReason,
            rules: evaluator.rules, active: evaluator.active, recentAlerts: recent,
            runTotalRequests: linesSeen - malformedCount)
    }
}

@inline(__always)
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
