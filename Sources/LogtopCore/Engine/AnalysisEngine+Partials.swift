/// Merged input (scale-out): what other analyzers counted, taken as if ingested here line by line.
extension AnalysisEngine {
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
        if maxEventTime == nil { start(at: t) }
        settle(t)  // lines of second t ingested here one by one reach its interval first
        let maxT = maxEventTime.unsafelyUnwrapped
        let iStart = intervalStart(of: t)
        if iStart >= nextIntervalStart.unsafelyUnwrapped {
            let k = openIndex(iStart)
            open[k].aggregate.merge(aggregate)
            open[k].perSecond[Int(t - iStart)] += aggregate.requests
            open[k].lateness.record(maxT - t, weight: aggregate.requests)
        } else {
            lateCount += aggregate.requests
            var counted = aggregate
            counted.malformed = 0
            counted.late = 0
            total.merge(counted)
            let k = countMissed(iStart, aggregate.requests, behind: maxT - t)
            open[k].aggregate.late += aggregate.requests + aggregate.late
            open[k].aggregate.malformed += aggregate.malformed
        }
        if t >= maxT - Int64(config.lateness) || buckets.contains(t) { withBucket(t) { $0.merge(aggregate) } }
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
        if let t = maxEventTime {
            withBucket(t) { $0.malformed += n }
            open[openIndex(intervalStart(of: t))].aggregate.malformed += n
        } else {
            orphanMalformed += n
        }
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

}
