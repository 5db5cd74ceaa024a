/// What the alert rules measure over the per-second buckets.
extension AnalysisEngine {
    func requests(_ from: Int64, _ to: Int64) -> Int {
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
            // A share of the requests, once the 404s reach the rule's floor.
            var notFound = 0
            for t in from...s { notFound += buckets.read(t) { $0.pointee.notFound } ?? 0 }
            guard count > 0, notFound >= max(1, rule.minVolume) else { return AlertMeasurement(value: nil) }
            let value = 100 * Double(notFound) / Double(count)
            // The offender is only worth finding when the rule may fire.
            let offender = value >= rule.threshold * rule.resolveRatio ? topKey(from, s, \.notFoundClients)?.key : nil
            return AlertMeasurement(value: value, offender: offender, rate: Double(notFound) / Double(w))
        case .clientFlood:
            // The busiest client's share of the requests, once its own requests reach the rule's floor.
            // Cheap upper bound first: the sum of each second's busiest count.
            let floor = max(1, rule.minVolume)
            var bound = 0
            for t in from...s { bound += buckets.read(t) { $0.pointee.clients.maxCount } ?? 0 }
            guard count > 0, bound >= floor else { return AlertMeasurement(value: nil) }
            let boundShare = 100 * Double(min(bound, count)) / Double(count)
            if boundShare < rule.threshold * rule.resolveRatio { return AlertMeasurement(value: boundShare) }
            guard let top = topKey(from, s, \.clients), top.count >= floor else { return AlertMeasurement(value: nil) }
            return AlertMeasurement(value: 100 * Double(min(top.count, count)) / Double(count), offender: top.key,
                                    rate: Double(top.count) / Double(w))
        case .latencyP95:
            var h = latency ?? LatencyHistogram()
            if latency == nil { for t in from...s { buckets.read(t) { h.merge($0.pointee.latency) } } }
            guard h.total >= max(1, rule.minVolume), let p95 = h.percentile(0.95) else { return AlertMeasurement(value: nil) }
            return AlertMeasurement(value: Double(p95) / 1000)
        }
    }

    /// The key with the largest count over seconds `from...to` of the sketch at `path`: candidates
    /// are each second's few largest keys, summed over every second.
    func topKey(_ from: Int64, _ to: Int64, _ path: KeyPath<TrafficAggregate, TopK>) -> (key: String, count: Int)? {
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
}
