/// The whole analysis: parse lines, bucket them per second of event time, roll windows and
/// intervals forward with the watermark, evaluate alert rules, and describe it all as values.
///
/// Two clocks (see docs/event-time.md). Per-second buckets feed the live window and the alert rules;
/// a second is final once the newest event time is `lateness` past it (alert rules evaluate it then).
/// Report intervals are counted apart, in `OpenInterval`s: a record counts in its interval as long as
/// that interval has not been written, whatever order it arrived in; an interval is written once the
/// newest event time is `reportLateness` past its end. Only a record whose interval was written is
/// late: counted in the total and as late, and listed in the next interval written (`lateFor`).
///
/// Deterministic and single-owner: no clock (the caller passes wall time to `tick`), no I/O, no locks.
/// Memory is bounded: per-second buckets are kept only for the window and the longest alert rule,
/// their lists are small sketches; the open intervals' lists are exact up to `exactKeys` keys each
/// and together hold at most `openIntervalKeys` keys (past that the oldest is written early).
public struct AnalysisEngine: Sendable {
    public private(set) var config: EngineConfig
    private var parser: AccessLogParser
    var buckets = SecondBuckets()
    /// Smallest key of `buckets` after the last eviction (records only add keys at or after it, or late).
    private var oldestBucket: Int64?
    /// Newest event time seen (or advanced by the wall clock when idle).
    public internal(set) var maxEventTime: Int64?
    /// Start of the first interval not written yet: records of it and later are counted in `open`.
    var nextIntervalStart: Int64?
    /// Open intervals holding records, ascending by start, all at or after `nextIntervalStart`.
    var open: [OpenInterval] = []
    /// Late records of the run by the start of the interval they missed (at most `missedKeys`
    /// intervals; the rest are summed under `Int64.min`). Each open interval keeps its own.
    private var missedTotal: [Int64: Int] = [:]
    private var totalLateness = LatenessHistogram()
    private var nextEval: Int64?
    private var evaluator: AlertEvaluator
    private var unreportedAlerts: [AlertEvent] = []
    private var recent: [AlertEvent] = []
    private var reports: [IntervalReport] = []
    private var newAlerts: [AlertEvent] = []
    var total: TrafficAggregate
    private var totalPeak = 0
    private var totalStart: Int64?
    private var totalEnd: Int64?
    private var totalAlerts: [AlertEvent] = []
    var orphanMalformed = 0
    var firstEventTime: Int64?
    private var samples: [MalformedSample] = []
    private var clockAdvanced = false
    private var anchor: (wall: Int64, event: Int64)?
    /// The wall clock of the last `tick`.
    private var lastWall: Int64?
    var anchorDirty = false
    /// The latency histogram of the `latency_p95` window evaluated last, seconds `latencyFrom...latencyTo`
    /// (slid by one second each second: see `latencyWindow`).
    var latencyHistogram = LatencyHistogram()
    var latencyFrom: Int64 = 0
    var latencyTo: Int64 = .min
    /// The interval start `place` found last (most records fall in the same interval as the one before:
    /// no division for them).
    private var lastIntervalStart: Int64 = .max
    /// Lines seen: parsed + malformed.
    public internal(set) var linesSeen = 0
    public internal(set) var malformedCount = 0
    public internal(set) var lateCount = 0
    public internal(set) var malformedByReason: [MalformedReason: Int] = [:]
    /// Requests of the run by method (`HTTPMethod.rawValue`), late ones included: the records this engine
    /// parsed itself (merged partials carry no methods).
    public private(set) var methodCounts = [Int](repeating: 0, count: HTTPMethod.allCases.count)
    /// Each rule's value at the last second evaluated (absent while it has none: disabled, too little volume).
    public internal(set) var ruleValues: [AlertKind: Double] = [:]

    public init(config: EngineConfig = EngineConfig()) {
        var c = config
        c.window = max(1, c.window)
        c.interval = max(1, c.interval)
        c.lateness = max(0, c.lateness)
        parser = AccessLogParser(format: c.format, keepQuery: c.keepQuery)
        evaluator = AlertEvaluator(rules: c.rules)
        c.exactKeys = max(1, c.exactKeys)
        self.config = c
        total = TrafficAggregate(capacity: c.reportCapacity, exactKeys: c.exactKeys)
    }

    /// Watermark: seconds strictly below it are final.
    public var watermark: Int64? { maxEventTime.map { $0 - Int64(config.lateness) } }

    /// Intervals ending at or before it are written.
    public var intervalWatermark: Int64? { maxEventTime.map { $0 - Int64(reportLateness) } }

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
        methodCounts[HTTPMethod.classify(r.method).rawValue] += 1
        place(r.time) { $0.add(r) }
    }

    /// `ingest(_:)` for a line the parser scanned (no `LogRecord`: see `LineFields`).
    private mutating func ingest(_ f: LineFields, _ s: UnsafeBufferPointer<UInt8>) {
        linesSeen += 1
        methodCounts[f.method.isPresent ? HTTPMethod.classify(s, f.method.start, f.method.end).rawValue : HTTPMethod.other.rawValue] += 1
        place(f.time) { $0.add(f, in: s) }
    }

    /// Counts one record of second `t` (`add` adds it to an aggregate): in its interval while that is
    /// open, else in the total as late; in its second's bucket while the second is open (or still
    /// held: the live window then has it too); then moves event time on.
    ///
    /// A record of an open second counts in its bucket alone: the bucket, pending, reaches its interval
    /// whole when the second is final (`settle`), so each record is added to one aggregate, not two.
    /// Its list counts stay exact until then (up to `secondExactKeys` keys each; a bucket that would
    /// pass that settles at once, and its later records count in both).
    @inline(__always)
    private mutating func place(_ t: Int64, _ add: (inout TrafficAggregate) -> Void) {
        if maxEventTime == nil { start(at: t) }
        let maxT = maxEventTime.unsafelyUnwrapped
        let iStart = t >= lastIntervalStart && t - lastIntervalStart < Int64(config.interval) ? lastIntervalStart : intervalStart(of: t)
        lastIntervalStart = iStart
        let isOpen = t >= maxT - Int64(config.lateness)
        if iStart >= nextIntervalStart.unsafelyUnwrapped {
            let k = openIndex(iStart)
            open[k].perSecond[Int(t - iStart)] += 1
            open[k].lateness.record(maxT - t)
            if !isOpen || !addPending(t, add) {
                add(&open[k].aggregate)
                if isOpen || buckets.contains(t) { withBucket(t, add) }
            }
        } else {
            lateCount += 1
            add(&total)
            let k = countMissed(iStart, 1, behind: maxT - t)
            open[k].aggregate.late += 1
            if isOpen || buckets.contains(t) { withBucket(t, add) }
        }
        if t > maxT {
            maxEventTime = t
            anchorDirty = true
            advance()
        }
    }

    /// Adds a record of open second `t`, whose interval is open, to the second's bucket when that is
    /// pending (or missing: it is created pending); returns false when the bucket is not pending.
    @inline(__always)
    private mutating func addPending(_ t: Int64, _ add: (inout TrafficAggregate) -> Void) -> Bool {
        if t <= latencyTo { latencyTo = .min }  // a second already in the latency window changes
        let limit = config.secondExactKeys
        var full = false
        switch buckets.modifyPending(t, { b in
            add(&b)
            full = b.requests >= limit && b.mostKeys >= limit
        }) {
        case nil:
            var fresh = newBucket(exactKeys: max(config.secondCapacity, limit))
            add(&fresh)
            buckets.add(t, fresh, pending: true)
        case false?:
            return false
        case true?:
            if full { settle(t) }
        }
        return true
    }

    /// Counts the records of second `t`'s pending bucket in their interval (which is open) and ends
    /// the bucket's exact counting: from now on records of `t` count in both.
    mutating func settle(_ t: Int64) {
        guard let bucket = buckets.unmarkPending(t) else { return }
        let k = openIndex(intervalStart(of: t))
        open[k].aggregate.mergeRequests(bucket)
        buckets.modify(t) { $0.endExactCounting() }
    }

    /// Settles every pending bucket of a second before `end`.
    mutating func settle(before end: Int64) {
        while let t = buckets.firstPending(before: end) { settle(t) }
    }

    @inline(__always)
    func intervalStart(of t: Int64) -> Int64 {
        let i = Int64(config.interval)
        return floorDiv(t, i) * i
    }

    /// The index in `open` of the interval starting at `start` (at or after `nextIntervalStart`),
    /// created when missing.
    @inline(__always)
    mutating func openIndex(_ start: Int64) -> Int {
        var k = open.count - 1
        while k >= 0 {
            let s = open[k].start
            if s == start { return k }
            if s < start { break }
            k -= 1
        }
        open.insert(OpenInterval(start: start, seconds: config.interval, capacity: config.reportCapacity, exactKeys: config.exactKeys), at: k + 1)
        return k + 1
    }

    private static let missedKeys = 1_000

    /// Counts `n` late records of the written interval starting at `iStart`, `behind` seconds late,
    /// in the run's figures and in the interval open at the newest event time (where they arrived),
    /// whose index in `open` it returns.
    mutating func countMissed(_ iStart: Int64, _ n: Int, behind: Int64) -> Int {
        totalLateness.record(behind, weight: n)
        totalStart = min(totalStart ?? iStart, iStart)
        Self.count(n, at: iStart, in: &missedTotal)
        let k = openIndex(intervalStart(of: maxEventTime.unsafelyUnwrapped))
        Self.count(n, at: iStart, in: &open[k].missed)
        return k
    }

    /// Adds `n` under `key`, or under `Int64.min` once `counts` holds `missedKeys` other keys.
    private static func count(_ n: Int, at key: Int64, in counts: inout [Int64: Int]) {
        counts[counts[key] != nil || counts.count < missedKeys ? key : Int64.min, default: 0] += n
    }

    /// The bucket of second `t`, to change in place; a missing one is created (`newBucket`).
    @inline(__always)
    mutating func withBucket(_ t: Int64, _ body: (inout TrafficAggregate) -> Void) {
        if t <= latencyTo { latencyTo = .min }  // a second already in the latency window changes
        if !buckets.contains(t) { buckets.add(t, newBucket(exactKeys: nil)) }
        buckets.modify(t, body)
    }

    /// An empty bucket for a new second (`exactKeys` as `TrafficAggregate.init` takes it): the storage
    /// of the second that left the window last when there is one, sized like the newest second's so
    /// that it does not grow step by step.
    private mutating func newBucket(exactKeys: Int?) -> TrafficAggregate {
        var fresh: TrafficAggregate
        if var spare = buckets.takeSpare(), spare.paths.capacity == config.secondCapacity {
            spare.clear(exactKeys: exactKeys)
            fresh = spare
        } else {
            fresh = TrafficAggregate(capacity: config.secondCapacity, exactKeys: exactKeys)
        }
        if let newest = maxEventTime { buckets.read(newest) { fresh.reserve(like: $0.pointee) } }
        return fresh
    }

    mutating func start(at t: Int64) {
        maxEventTime = t
        firstEventTime = t
        anchorDirty = true
        // Intervals before the first record's stay open too: records of them may still come.
        nextIntervalStart = intervalStart(of: t - Int64(reportLateness))
        nextEval = t
    }

    private mutating func countMalformed(_ reason: MalformedReason, _ line: UnsafeBufferPointer<UInt8>) {
        linesSeen += 1
        malformedCount += 1
        malformedByReason[reason, default: 0] += 1
        if let t = maxEventTime {
            withBucket(t) { $0.countMalformed() }
            open[openIndex(intervalStart(of: t))].aggregate.countMalformed()
        } else {
            orphanMalformed += 1
        }
        let cut = UnsafeBufferPointer(rebasing: line[0..<min(line.count, 160)])
        var text = Sanitizer.string(cut, limit: 200)
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        if line.count > 160 { text += "…" }
        samples.append(MalformedSample(reason: reason, text: text))
        if samples.count > config.malformedSamples { samples.removeFirst(samples.count - config.malformedSamples) }
    }

    // MARK: - Time

    /// How close to the wall clock the newest event time of a finite input must be for the input to
    /// count as live (`tail -F access.log | logtop --source stdin`), seconds.
    public static let liveWithin: Int64 = 60

    /// The interval lateness in effect now: `config.reportLateness`, except for finite input whose
    /// newest event time has caught up with the wall clock (a live log piped into stdin, or the last
    /// minute of a replay): there, as for a live source, `config.lateness`, so that its blocks are
    /// written as its minutes end rather than an hour later.
    public var reportLateness: Int {
        guard config.finiteInput, config.intervalLateness == nil, let t = maxEventTime, let wall = lastWall,
              t >= wall - Self.liveWithin else { return config.reportLateness }
        return config.lateness
    }

    /// Let wall-clock time (`now`, Unix seconds) move event time on when no newer events arrive.
    public mutating func tick(now: Int64) {
        lastWall = now
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
        Int64(evaluator.rules.reduce(0) { max($0, $1.window + $1.baseline) })
    }

    mutating func advance(through closedEnd: Int64? = nil) {
        guard let maxT = maxEventTime, var eval = nextEval, var next = nextIntervalStart else { return }
        let w = closedEnd ?? (maxT - Int64(config.lateness))  // seconds < w are closed
        settle(before: w)
        if w - eval > 2 * longestRuleSpan + 60 { eval = w - longestRuleSpan - 1 }  // long gap: skip ahead
        while eval < w {
            evaluate(at: eval)
            eval += 1
        }
        nextEval = eval
        let i = Int64(config.interval)
        let wi = closedEnd ?? (maxT - Int64(reportLateness))  // intervals ending at or before wi are written
        let firstInterval = intervalStart(of: firstEventTime ?? maxT)
        while next + i <= wi || (closedEnd != nil && next < wi) {
            let end = min(next + i, wi)
            if open.first?.start == next || (clockAdvanced && next >= firstInterval) || orphanMalformed > 0 {
                closeInterval(next, end)
            } else if let later = open.first?.start, later > next {
                next = later  // no records in between: nothing to write
                continue
            }
            next += i
        }
        // Bounded memory: while the open intervals hold more keys than allowed, the oldest is written.
        if closedEnd == nil {
            while open.count > 1, open.reduce(0, { $0 + $1.keys }) > config.openIntervalKeys {
                let oldest = open[0].start
                closeInterval(oldest, oldest + i)
                next = oldest + i
            }
        }
        nextIntervalStart = next
        clockAdvanced = false
        let keep = max(Int64(config.window), longestRuleSpan) + Int64(config.lateness) + 2
        let horizon = maxT - keep
        if let oldest = oldestBucket, oldest < horizon {
            buckets.removeAll(before: horizon)
        }
        oldestBucket = buckets.firstKey
    }

    private mutating func closeInterval(_ start: Int64, _ end: Int64) {
        settle(before: start + Int64(config.interval))
        var interval: OpenInterval
        if let first = open.first, first.start == start {
            interval = open.removeFirst()
        } else {
            interval = OpenInterval(start: start, seconds: config.interval, capacity: 1, exactKeys: 1)
        }
        let peak = interval.perSecond.max() ?? 0
        if orphanMalformed > 0 {
            interval.aggregate.malformed += orphanMalformed
            orphanMalformed = 0
        }
        let alerts = unreportedAlerts.filter { $0.time < end }
        unreportedAlerts.removeAll { $0.time < end }
        total.merge(interval.aggregate)
        totalLateness.merge(interval.lateness)
        totalPeak = max(totalPeak, peak)
        totalStart = min(totalStart ?? start, start)
        totalEnd = end
        totalAlerts.append(contentsOf: alerts)
        reports.append(IntervalReport(start: start, end: end, summary: interval.aggregate.summary(top: config.topN), peakRate: peak,
                                      alerts: alerts, isTotal: false, lateness: LatenessFigures(interval.lateness),
                                      lateFor: lateArrivals(interval.missed), allowedLateness: reportLateness))
    }

    /// `counts` (late records by the start of the interval they missed) as a list, oldest first
    /// (those beyond `missedKeys` intervals last, as one entry starting and ending at `Int64.min`).
    private func lateArrivals(_ counts: [Int64: Int]) -> [LateArrivals] {
        let i = Int64(config.interval)
        return counts.keys.sorted { ($0 == .min ? Int64.max : $0) < ($1 == .min ? Int64.max : $1) }.map {
            LateArrivals(start: $0, end: $0 == .min ? .min : $0 + i, count: counts[$0] ?? 0)
        }
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
            ruleValues[rule.kind] = m.value
            if let e = evaluator.step(index, at: s, m) {
                unreportedAlerts.append(e)
                newAlerts.append(e)
                recent.insert(e, at: 0)
                if recent.count > config.recentAlerts { recent.removeLast() }
            }
        }
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
                                  alerts: totalAlerts, isTotal: true, lateness: LatenessFigures(totalLateness),
                                  lateFor: lateArrivals(missedTotal), allowedLateness: reportLateness))
        return out
    }

    /// The run's figures so far (records of open intervals and of the TOTAL): see `RunCounters`.
    public func runCounters() -> RunCounters {
        var pending: [TrafficAggregate] = []
        for t in buckets.pendingKeys {
            buckets.read(t) {
                var requests = $0.pointee
                requests.malformed = 0  // counted in the interval already
                pending.append(requests)
            }
        }
        var run = RunCounters(summing: [total] + open.map(\.aggregate) + pending, extraMalformed: orphanMalformed)
        run.methods = methodCounts
        return run
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
            runTotalRequests: linesSeen - malformedCount, lateness: config.lateness, intervalLateness: reportLateness,
            run: runCounters(), ruleValues: ruleValues)
    }
}

@inline(__always)
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
