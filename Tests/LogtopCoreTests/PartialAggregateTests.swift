import Testing
@testable import LogtopCore

// Scale-out: analyzers publish per-second partial aggregates (`MetricsPartial`), a reader merges them.
// These tests hold the encoding to exactness (a decoded aggregate counts and merges as the original),
// the merged figures to a single analyzer's, and the decoder to hostile input.

// MARK: - Fixtures

/// An aggregate of `lines` lines of model traffic (`perSecond` per second of event time), with top
/// lists of `capacity`.
func modelAggregate(seed: UInt64, lines: Int, capacity: Int, scenario: TrafficScenario? = nil,
                    perSecond: Int = 50) -> TrafficAggregate {
    var model = TrafficModel(seed: seed)
    var parser = AccessLogParser()
    var a = TrafficAggregate(capacity: capacity)
    for i in 0..<lines {
        if case .record(let r) = parser.parse(model.nextLine(time: baseTime + Int64(i / perSecond), scenario: scenario)) {
            a.add(r)
        }
    }
    return a
}

/// An aggregate with more distinct clients than the model has: a unique-client sketch whose
/// registers are mostly used (written in full, not sparsely).
func manyClientsAggregate(_ clients: Int, capacity: Int = 32) -> TrafficAggregate {
    var parser = AccessLogParser()
    var a = TrafficAggregate(capacity: capacity)
    for i in 0..<clients {
        let line = accessLine("10.\(i >> 16).\((i >> 8) & 255).\(i & 255)", at: baseTime, path: "/p\(i % 300)",
                              status: [200, 404, 503][i % 3], seconds: Double(i % 900) / 1000)
        if case .record(let r) = parser.parse(line) { a.add(r) }
    }
    return a
}

/// Whether `a` and `b` hold the same entries in the same slots with the same heap: they evict, merge
/// and break ties alike.
func sameState(_ a: TopK, _ b: TopK) -> Bool {
    guard a == b, a.slots.count == b.slots.count, !a.isFull || a.heap == b.heap else { return false }
    return a.slots.indices.allSatisfy { i in
        let s = a.slots[i], o = b.slots[i]
        return s.hash == o.hash && s.count == o.count && s.error == o.error && s.fours == o.fours && s.fives == o.fives
            && a.key(ofSlot: i) == b.key(ofSlot: i)
    }
}

func sameState(_ a: TrafficAggregate, _ b: TrafficAggregate) -> Bool {
    a == b && sameState(a.paths, b.paths) && sameState(a.clients, b.clients) && sameState(a.referrers, b.referrers)
        && sameState(a.userAgents, b.userAgents) && sameState(a.notFoundClients, b.notFoundClients)
}

func roundTrip(_ a: TrafficAggregate) throws -> TrafficAggregate {
    try TrafficAggregate(decoding: a.encoded())
}

/// A summary with the malformed count left out (the one figure whose placement in time differs
/// between a reader and a single analyzer: see `PartialAggregator`).
func withoutMalformed(_ s: StatsSummary) -> StatsSummary {
    var copy = s
    copy.malformed = 0
    return copy
}

/// Two views of the same traffic agree: every count equal, exact top lists equal, and where a list is
/// estimated (per-second sketches that overflowed, merged in another order), every key both list has
/// a count range `[count - error, count]` in each that overlaps the other's: both hold the true count.
func expectAgree(_ b: StatsSummary, _ a: StatsSummary, sourceLocation: SourceLocation = #_sourceLocation) {
    var x = withoutMalformed(a), y = withoutMalformed(b)
    let lists = [(x.topPaths, y.topPaths, x.exact.paths && y.exact.paths), (x.topClients, y.topClients, x.exact.clients && y.exact.clients),
                 (x.topReferrers, y.topReferrers, x.exact.referrers && y.exact.referrers),
                 (x.topUserAgents, y.topUserAgents, x.exact.userAgents && y.exact.userAgents)]
    for (one, other, exact) in lists {
        if exact {
            #expect(one == other, sourceLocation: sourceLocation)
            continue
        }
        #expect(one.count == other.count, sourceLocation: sourceLocation)
        for e in one {
            guard let f = other.first(where: { $0.key == e.key }) else { continue }
            #expect(e.count - e.error <= f.count && f.count - f.error <= e.count, "\(e) vs \(f)", sourceLocation: sourceLocation)
        }
    }
    for s in [0, 1] {
        var v = s == 0 ? x : y
        v.topPaths = []; v.topClients = []; v.topReferrers = []; v.topUserAgents = []
        if s == 0 { x = v } else { y = v }
    }
    #expect(x == y, "every count but the top lists", sourceLocation: sourceLocation)
}

// MARK: - Aggregate encoding

@Suite struct AggregateCodecTests {
    /// Small and exact (unique clients as a set, lists under capacity), full lists with evictions and
    /// a heap, registers written sparsely and in full, malformed and late counts.
    static func aggregates() -> [TrafficAggregate] {
        var quiet = modelAggregate(seed: 1, lines: 40, capacity: 128)
        quiet.malformed = 3
        quiet.late = 2
        let busy = modelAggregate(seed: 2, lines: 3_000, capacity: 16, scenario: .scan, perSecond: 400)
        let failing = modelAggregate(seed: 3, lines: 2_000, capacity: 64, scenario: .errors)
        let slow = modelAggregate(seed: 4, lines: 1_500, capacity: 128, scenario: .slow)
        return [TrafficAggregate(capacity: 8), quiet, busy, failing, slow, manyClientsAggregate(400),
                manyClientsAggregate(9_000)]
    }

    @Test func roundTripKeepsEveryFigure() throws {
        let all = Self.aggregates()
        #expect(all[1].uniqueClients.exactHashes != nil)
        #expect(all[2].paths.isFull)
        #expect(all[2].clients.isFull && all[2].notFoundClients.isFull)
        #expect(all[5].uniqueClients.exactHashes == nil && all[6].uniqueClients.exactHashes == nil)
        // Registers: the non-zero ones (a few hundred clients), or all of them.
        #expect(all[5].encoded().count < 8_000 && all[6].encoded().count > HyperLogLog.registerCount)
        for a in all {
            let d = try roundTrip(a)
            #expect(sameState(d, a))
            #expect(d.summary(top: 1_000) == a.summary(top: 1_000))
            #expect(d.uniqueClients.estimate == a.uniqueClients.estimate)
            #expect(d.latency.percentile(0.95) == a.latency.percentile(0.95))
            #expect(d.encoded() == a.encoded())  // canonical
        }
        // The figures are really there (not a round trip of empty values).
        let busy = all[2].summary(top: 5)
        // (Error bounds too: the scan's hundreds of one-off paths churn the 16 slots.)
        #expect(busy.requests == 3_000 && busy.topPaths.count == 5 && busy.topPaths.contains { $0.error > 0 })
        #expect(all[3].serverErrors > 500 && all[1].summary().malformed == 3 && all[1].summary().late == 2)
    }

    @Test func mergeOfDecodedEqualsMergeOfOriginals() throws {
        let all = Self.aggregates()
        for (x, y) in [(2, 3), (3, 2), (1, 2), (5, 6), (6, 1), (4, 2), (0, 2)] {
            var original = all[x]
            original.merge(all[y])
            var decoded = try roundTrip(all[x])
            decoded.merge(try roundTrip(all[y]))
            #expect(sameState(decoded, original), "\(x) + \(y)")
            // Counting on after the merge: evictions follow the restored heaps.
            var parser = AccessLogParser()
            var model = TrafficModel(seed: 99)
            for i in 0..<500 {
                guard case .record(let r) = parser.parse(model.nextLine(time: baseTime + Int64(i / 50), scenario: .flood)) else { continue }
                original.add(r)
                decoded.add(r)
            }
            #expect(sameState(decoded, original), "\(x) + \(y), then lines")
        }
        let parts = Array(all[1...4])
        let merged = TrafficAggregate(merging: parts, capacity: 32)
        let mergedDecoded = TrafficAggregate(merging: try parts.map(roundTrip), capacity: 32)
        #expect(sameState(mergedDecoded, merged))
    }

    @Test func decodedSketchesCarryOn() throws {
        // A full top list keeps evicting its minimum in heap order.
        var k = TopK(capacity: 4)
        for key in ["a", "b", "c", "d", "a", "e", "f", "b"] { k.add(key) }
        var w = ByteWriter()
        AggregateCodec.encode(k, into: &w)
        var d = try w.bytes.withUnsafeBytes { raw throws(AggregateDecodingError) in
            var r = ByteReader(raw)
            return try AggregateCodec.decodeTopK(&r)
        }
        #expect(sameState(d, k))
        for key in ["g", "a", "h", "h", "c"] {
            k.add(key)
            d.add(key)
        }
        #expect(sameState(d, k))
        #expect(d.top(2) == k.top(2))
    }
}

// MARK: - Records

@Suite struct MetricsPartialTests {
    static func record() -> MetricsPartial {
        var a = PartialAggregator(topic: "logs", partition: 7)
        var model = TrafficModel(seed: 21)
        var offset: Int64 = 1_000
        for i in 0..<120 {
            if i == 30 { a.ingest(line: "garbage line", offset: offset); offset += 1 }
            if i == 31 { a.ingestMalformed(.tooLong, offset: offset); offset += 1 }
            a.ingest(line: model.nextLine(time: baseTime + Int64(i / 40), scenario: .scan), offset: offset)
            offset += 1
        }
        return a.take(member: "analyzer-2", producedAt: 1_795_784_412_345, memberLag: 17)!
    }

    @Test func roundTrip() throws {
        let p = Self.record()
        #expect(p.seconds.map(\.second) == [baseTime, baseTime + 1, baseTime + 2])
        #expect(p.firstOffset == 1_000 && p.nextOffset == 1_122 && p.lines == 122)
        #expect(p.malformed == 2 && p.malformedByReason[.tooLong] == 1)
        let bytes = p.encode()
        let d = try MetricsPartial(decoding: bytes)
        #expect(d == p)
        #expect(d.formatVersion == MetricsPartial.currentVersion)
        #expect(d.member == "analyzer-2" && d.topic == "logs" && d.partition == 7 && d.memberLag == 17)
        #expect(d.producedAt == 1_795_784_412_345)
        // From an array slice, and from a collection that is not contiguous.
        let framed = [0xEE] + bytes + [0xEE]
        #expect(try MetricsPartial(decoding: framed[1..<(framed.count - 1)]) == p)
        #expect(try MetricsPartial(decoding: bytes.lazy.map { $0 }) == p)
        // A record with nothing but malformed lines, and one with unsorted seconds.
        let empty = MetricsPartial(member: "m", topic: "t", partition: 0, firstOffset: 5, nextOffset: 6, producedAt: 0,
                                   memberLag: 0, seconds: [], malformedByReason: [.empty: 1])
        #expect(try MetricsPartial(decoding: empty.encode()) == empty)
        // (The malformed lines are in the first second, listed twice.)
        #expect(p.seconds[0].aggregate.malformed == 2)
        var shuffled = p
        shuffled.seconds = [p.seconds[2], p.seconds[0], p.seconds[1], p.seconds[0]]
        shuffled.malformedByReason = p.malformedByReason.mapValues { 2 * $0 }
        let sorted = try MetricsPartial(decoding: shuffled.encode())
        var twice = p.seconds[0].aggregate
        twice.merge(p.seconds[0].aggregate)
        #expect(sorted.seconds.map(\.second) == p.seconds.map(\.second))
        #expect(sorted.seconds[0].aggregate == twice && sorted.seconds[2].aggregate == p.seconds[2].aggregate)
    }

    @Test func aggregatorPlacesMalformedLinesAndRanges() throws {
        var a = PartialAggregator(topic: "logs", partition: 0)
        #expect(a.take(member: "m", producedAt: 0, memberLag: 0) == nil)
        // Malformed before any line: by reason only.
        a.ingest(line: "", offset: 0)
        var taken = a.take(member: "m", producedAt: 0, memberLag: 0)
        var p = try #require(taken)
        #expect(p.seconds.isEmpty && p.malformedByReason == [.empty: 1] && p.lines == 1)
        #expect(p.firstOffset == 0 && p.nextOffset == 1)
        // Malformed before the first line of a range wait for it; after, they count at the newest second.
        a.ingest(line: "x", offset: 1)
        a.ingest(line: accessLine(at: baseTime + 5), offset: 2)
        a.ingest(line: accessLine(at: baseTime + 3), offset: 3)
        a.ingest(line: "y", offset: 4)
        taken = a.take(member: "m", producedAt: 0, memberLag: 0)
        p = try #require(taken)
        #expect(p.seconds.map(\.second) == [baseTime + 3, baseTime + 5])
        #expect(p.seconds.map(\.aggregate.malformed) == [0, 2])
        #expect(p.seconds.map(\.aggregate.requests) == [1, 1])
        #expect(p.firstOffset == 1 && p.nextOffset == 5 && p.malformed == 2)
        // A later range of malformed lines only: at the newest second of the partition.
        a.ingest(line: "z", offset: 5)
        taken = a.take(member: "m", producedAt: 0, memberLag: 0)
        p = try #require(taken)
        #expect(p.seconds.map(\.second) == [baseTime + 5] && p.seconds[0].aggregate.malformed == 1)
        #expect(try MetricsPartial(decoding: p.encode()) == p)
    }
}

// MARK: - Merging into the engine

@Suite struct EnginePartialInput {
    /// One member publishing records in order (`ingest(_:)`) counts exactly what a single analyzer
    /// counts, late lines and malformed lines included (one partition: the newest second of the
    /// partition is the engine's newest event time).
    @Test func oneMemberInOrderEqualsOneAnalyzer() throws {
        var config = EngineConfig()
        config.interval = 30
        config.window = 40
        var single = AnalysisEngine(config: config)
        var merged = AnalysisEngine(config: config)
        var member = PartialAggregator(topic: "logs", partition: 0, capacity: config.secondCapacity)
        var model = TrafficModel(seed: 31)
        var offset: Int64 = 0
        var late = 0
        func publish() throws {
            if let p = member.take(member: "m", producedAt: 0, memberLag: 0) {
                merged.ingest(try MetricsPartial(decoding: p.encode()))
            }
        }
        for s: Int64 in 0..<200 {
            let scenario: TrafficScenario? = (60..<100).contains(s) ? .errors : nil
            for i in 0..<(30 + Int(s % 7)) {
                var line = model.nextLine(time: baseTime + s, scenario: scenario)
                if i == 3 && s % 20 == 0 { line = "broken \(s)" }
                if i == 5 && s % 25 == 24 {
                    // 40 s behind: its interval (30 s, written 5 s after its end) is always written.
                    line = accessLine("10.8.8.8", at: baseTime + s - 40, path: "/late", status: 404)
                    late += 1
                }
                single.ingest(line: line)
                member.ingest(line: line, offset: offset)
                offset += 1
                if offset % 97 == 0 { try publish() }
            }
        }
        try publish()
        #expect(single.lateCount == late && merged.lateCount == late && late > 0)
        #expect(merged.malformedCount == single.malformedCount && merged.malformedCount > 0)
        #expect(merged.linesSeen == single.linesSeen && merged.malformedByReason == single.malformedByReason)
        var a = single.snapshot(), b = merged.snapshot()
        a.malformedSamples = []
        b.malformedSamples = []
        // Partials carry no request methods: the merged view counts none (the metrics leave them out).
        #expect(b.run.methods.allSatisfy { $0 == 0 })
        a.run.methods = b.run.methods
        // The rule values are those of the last second each evaluated, which depends on when partials
        // arrived; the alerts they gave are compared below.
        a.ruleValues = b.ruleValues
        #expect(a == b)
        #expect(merged.takeAlerts() == single.takeAlerts())
        // The lateness a merged view sees is that of whole seconds as partials bring them, not of
        // each line: everything else is the same.
        #expect(withoutLateness(merged.finish()) == withoutLateness(single.finish()))
    }

    /// A partial for a second behind the watermark counts like its lines would, late.
    @Test func latePartialCountsLikeLateLines() {
        var single = engine { $0.lateness = 5; $0.interval = 10 }
        var merged = single
        var late = PartialAggregator(topic: "logs", partition: 0)
        var parser = AccessLogParser()
        for s: Int64 in 0..<30 {
            let line = accessLine("10.0.0.\(s % 4)", at: baseTime + s, path: "/p\(s % 3)", seconds: 0.01)
            single.ingest(line: line)
            if case .record(let r) = parser.parse(line) {
                var a = TrafficAggregate(capacity: 128)
                a.add(r)
                merged.ingest(partial: a, second: r.time)
            }
        }
        for i in 0..<6 {
            let line = accessLine("10.9.9.\(i % 2)", at: baseTime + 12, path: "/old", status: i % 2 == 0 ? 404 : 503, seconds: 1.5)
            single.ingest(line: line)
            late.ingest(line: line, offset: Int64(i))
        }
        merged.ingest(late.take(member: "m", producedAt: 0, memberLag: 0)!)
        #expect(merged.lateCount == 6 && single.lateCount == 6)
        #expect(merged.linesSeen == single.linesSeen)
        var singleSnapshot = single.snapshot()
        singleSnapshot.run.methods = merged.snapshot().run.methods  // partials carry no methods
        #expect(merged.snapshot() == singleSnapshot)
        let reports = merged.finish()
        #expect(reports == single.finish())
        #expect(reports.last!.summary.late == 6 && reports.last!.summary.requests == 36)
    }

    @Test func malformedOnlyInput() {
        var e = engine()
        e.ingestMalformed([.empty: 2, .badJSON: 1])
        var a = TrafficAggregate(capacity: 8)
        a.malformed = 1
        e.ingest(partial: TrafficAggregate(capacity: 8), second: baseTime)  // nothing: no effect
        #expect(e.maxEventTime == nil && e.linesSeen == 3)
        e.ingest(partial: a, second: baseTime, malformedByReason: [.badStatus: 1])
        #expect(e.linesSeen == 4 && e.malformedCount == 4)
        #expect(e.malformedByReason == [.empty: 2, .badJSON: 1, .badStatus: 1])
        let total = e.finish().last!.summary
        #expect(total.malformed == 4 && total.requests == 0)
    }
}

// MARK: - Scale-out exactness

/// Three analyzers share six partitions of a stream; their partials, encoded and decoded, merged by
/// event time into one engine, give a single analyzer's figures and alerts.
@Suite struct ScaleOutExactness {
    static let partitions = 6
    static let members = 3

    static func config() -> EngineConfig {
        var c = EngineConfig()
        c.interval = 60
        c.window = 60
        c.lateness = 5
        // The default per-second capacity, as users get it.
        return c
    }

    static func scenario(at s: Int64) -> TrafficScenario? {
        switch s {
        case 60..<130: .flood
        case 150..<200: .errors
        case 220..<270: .scan
        case 285..<325: .slow
        case 340..<360: .drop
        case 390..<405: .spike
        default: nil
        }
    }

    static let malformed = [
        "garbage \u{1b}[31m", "", "{\"broken", "1.2.3.4 - - [bad] \"GET / HTTP/1.1\" 200 1",
        "1.2.3.4 - - [26/Nov/2026:13:00:00 +0000] \"GET / HTTP/1.1\" 2x0 1",
    ]

    /// About 40 K lines over 7 minutes of event time (background about 70 lines/s, with the
    /// scenarios above), a few malformed lines, and about 4 % of lines delayed by one or two seconds
    /// (out of order, within the allowed lateness).
    static func stream() -> [String] {
        var model = TrafficModel(seed: 2026)
        var rng = SplitMix64(seed: 7)
        var out: [String] = []
        var delayed: [(due: Int64, line: String)] = []
        for s: Int64 in 0..<420 {
            let scenario = scenario(at: s)
            let background = Int(Double(60 + rng.below(20)) * (scenario?.rateMultiplier ?? 1))
            let n = background + Int(scenario?.injectedRate(background: Double(background)) ?? 0)
            while let d = delayed.first, d.due <= s { out.append(d.line); delayed.removeFirst() }
            for i in 0..<n {
                let line = model.nextLine(time: baseTime + s, scenario: scenario)
                if rng.chance(0.04) { delayed.append((s + 1 + Int64(rng.below(2)), line)) } else { out.append(line) }
                if i % 5 == 0 {
                    while let d = delayed.first, d.due <= s { out.append(d.line); delayed.removeFirst() }
                }
                if rng.chance(0.002) { out.append(rng.pick(malformed)) }
            }
        }
        out.append(contentsOf: delayed.map(\.line))
        return out
    }

    /// The partition of a line: keyed by its client, as a producer keying records by client would.
    static func partition(of line: String) -> Int {
        let key = line.split(separator: " ", maxSplits: 1).first.map(String.init) ?? line
        return Int(StableHash.hash(key) % UInt64(partitions))
    }

    @Test func threeAnalyzersMergedEqualOneAnalyzer() throws {
        let lines = Self.stream()
        var single = AnalysisEngine(config: Self.config())
        for line in lines { single.ingest(line: line) }

        // Members: member m reads partitions m and m + 3, and publishes each partition every (m + 2)
        // source seconds or so: records cut seconds at arbitrary lines.
        var aggregators = (0..<Self.partitions).map {
            PartialAggregator(topic: "logs", partition: Int32($0), capacity: Self.config().secondCapacity)
        }
        var offsets = [Int64](repeating: 0, count: Self.partitions)
        var published: [[UInt8]] = []
        func publish(_ p: Int) {
            let m = p % Self.members
            if let record = aggregators[p].take(member: "analyzer-\(m)", producedAt: Int64(published.count), memberLag: 0) {
                published.append(record.encode())
            }
        }
        for (n, line) in lines.enumerated() {
            let p = Self.partition(of: line)
            aggregators[p].ingest(line: line, offset: offsets[p])
            offsets[p] += 1
            if n % 70 == 0 {
                for q in 0..<Self.partitions where (n / 70) % (q % Self.members + 2) == 0 { publish(q) }
            }
        }
        for p in 0..<Self.partitions { publish(p) }

        // Reader: decodes every record, checks the offset ranges per partition, and gives the engine
        // each second complete, in ascending order (what a reader does once every partition has
        // published past that second); a record's malformed reasons go with its first second.
        var bySecond: [Int64: [(aggregate: TrafficAggregate, reasons: [MalformedReason: Int])]] = [:]
        var unplaced: [MalformedReason: Int] = [:]
        var next = [Int64](repeating: 0, count: Self.partitions)
        var members = Set<String>()
        for bytes in published {
            let record = try MetricsPartial(decoding: bytes)
            members.insert(record.member)
            #expect(record.firstOffset == next[Int(record.partition)], "contiguous ranges")
            next[Int(record.partition)] = record.nextOffset
            if record.seconds.isEmpty { unplaced.merge(record.malformedByReason, uniquingKeysWith: +) }
            for (i, s) in record.seconds.enumerated() {
                bySecond[s.second, default: []].append((s.aggregate, i == 0 ? record.malformedByReason : [:]))
            }
        }
        #expect(next == offsets && members.count == Self.members && published.count > 300)
        var merged = AnalysisEngine(config: Self.config())
        merged.ingestMalformed(unplaced)
        for t in bySecond.keys.sorted() {
            for part in bySecond[t]! { merged.ingest(partial: part.aggregate, second: t, malformedByReason: part.reasons) }
        }

        // Counters.
        #expect(merged.linesSeen == lines.count && single.linesSeen == lines.count)
        #expect(merged.malformedCount == single.malformedCount && single.malformedCount > 10)
        #expect(merged.malformedByReason == single.malformedByReason)
        #expect(merged.lateCount == 0 && single.lateCount == 0)
        #expect(merged.maxEventTime == single.maxEventTime)
        // The live view.
        let a = single.snapshot(), b = merged.snapshot()
        // With the default per-second capacity the busiest seconds' client lists overflow: estimates,
        // merged in another order, agree within their bounds.
        expectAgree(b.window, a.window)
        #expect(b.perSecond == a.perSecond && b.perSecondBytes == a.perSecondBytes && b.watermark == a.watermark)
        #expect(b.active == a.active && b.recentAlerts == a.recentAlerts)
        // Alerts: the same ones, fired at the same seconds, with the same offenders and values.
        let alerts = single.takeAlerts()
        #expect(merged.takeAlerts() == alerts)
        let fired = alerts.filter { $0.state == .firing }
        let model = TrafficModel(seed: 2026)
        #expect(fired.contains { $0.rule == .clientFlood && $0.offender == model.floodClient })
        #expect(fired.contains { $0.rule == .notFoundSurge && $0.offender == model.scanClient })
        #expect(Set(fired.map(\.rule)).isSuperset(of: [.errorRate, .latencyP95, .rateDrop, .rateSpike]))
        // Interval reports and the run's total: every figure (unique clients too: the merged sketches
        // hold the same hashes), malformed lines in the total.
        let expected = single.finish()
        let reports = merged.finish()
        #expect(reports.count == expected.count && expected.count == 8)
        for (r, e) in zip(reports, expected) {
            #expect(r.start == e.start && r.end == e.end && r.peakRate == e.peakRate && r.alerts == e.alerts)
            #expect(withoutMalformed(r.summary) == withoutMalformed(e.summary), "interval at \(e.start - baseTime)")
            #expect(r.summary.requests == e.summary.requests && r.summary.topPaths == e.summary.topPaths)
        }
        let total = try #require(reports.last), expectedTotal = try #require(expected.last)
        #expect(total.summary == expectedTotal.summary)
        #expect(total.summary.requests + total.summary.malformed == lines.count)
        let uniques = Double(expectedTotal.summary.uniqueClients)
        #expect(abs(Double(total.summary.uniqueClients) - uniques) <= 0.025 * uniques)
    }
}

// MARK: - Hostile input

@Suite struct HostileDecoderInput {
    /// A record with a bit of everything: exact and register sketches, full top lists (heaps),
    /// malformed reasons.
    static func samples() -> [[UInt8]] {
        var small = PartialAggregator(topic: "logs", partition: 3, capacity: 8)
        var model = TrafficModel(seed: 5)
        for i in 0..<60 {
            if i % 25 == 0 { small.ingest(line: "bad", offset: Int64(i)) }
            small.ingest(line: model.nextLine(time: baseTime + Int64(i / 20), scenario: .scan), offset: Int64(i))
        }
        let record = small.take(member: "m-1", producedAt: 1, memberLag: 2)!.encode()
        let registers = MetricsPartial(member: "m", topic: "logs", partition: 1, firstOffset: 0, nextOffset: 400,
                                       producedAt: 0, memberLag: 0, seconds: [(baseTime, manyClientsAggregate(400, capacity: 4))])
        return [record, registers.encode(), manyClientsAggregate(7_000, capacity: 4).encoded()]
    }

    static func decodeAny(_ bytes: [UInt8], asAggregate: Bool) throws(AggregateDecodingError) {
        if asAggregate { _ = try TrafficAggregate(decoding: bytes) } else { _ = try MetricsPartial(decoding: bytes) }
    }

    @Test func everyTruncationThrows() throws {
        for (n, sample) in Self.samples().enumerated() {
            let asAggregate = n == 2
            try Self.decodeAny(sample, asAggregate: asAggregate)  // whole: fine
            for length in 0..<sample.count {
                #expect(throws: AggregateDecodingError.self, "length \(length) of \(sample.count)") {
                    try Self.decodeAny(Array(sample[0..<length]), asAggregate: asAggregate)
                }
            }
            #expect(throws: AggregateDecodingError.trailingBytes(1)) { try Self.decodeAny(sample + [0], asAggregate: asAggregate) }
        }
    }

    /// Random bytes, and valid records with random bytes changed: decoding throws, or gives a record
    /// that counts, merges, reports and encodes without trapping.
    @Test func randomAndMutatedBytesNeverTrap() {
        var rng = SplitMix64(seed: 77)
        let samples = Self.samples()
        var decoded = 0, thrown = 0
        var sink = AnalysisEngine()
        for round in 0..<6_000 {
            var bytes: [UInt8]
            switch round % 3 {
            case 0:
                bytes = (0..<rng.below(200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                if rng.chance(0.5) { bytes = MetricsPartial.magic + [MetricsPartial.currentVersion] + bytes }
            default:
                bytes = samples[rng.below(2)]
                for _ in 0..<(1 + rng.below(3)) {
                    let i = rng.below(bytes.count)
                    bytes[i] = rng.chance(0.5) ? bytes[i] ^ UInt8(1 << rng.below(8)) : UInt8(truncatingIfNeeded: rng.next())
                }
            }
            do throws(AggregateDecodingError) {
                let p = try MetricsPartial(decoding: bytes)
                decoded += 1
                sink.ingest(p)
                var all = TrafficAggregate(capacity: 16)
                for s in p.seconds { all.merge(s.aggregate) }
                _ = all.summary(top: 5)
                #expect(try MetricsPartial(decoding: p.encode()) == p)
            } catch {
                thrown += 1
            }
        }
        _ = sink.snapshot()
        _ = sink.finish()
        #expect(thrown > 3_000)
        #expect(decoded + thrown == 6_000)
    }

    /// Hand-made records announcing far more than they hold, or values out of range.
    @Test func hugeCountsAndBadValuesThrow() {
        func record(_ body: (inout ByteWriter) -> Void) -> [UInt8] {
            var w = ByteWriter()
            for b in MetricsPartial.magic { w.byte(b) }
            w.byte(MetricsPartial.currentVersion)
            w.string("m")
            w.string("logs")
            for _ in 0..<5 { w.svarint(0) }  // partition, offsets, producedAt, lag
            body(&w)
            return w.bytes
        }
        /// A record of one second whose aggregate has zero counts and no status codes, then `rest`.
        func second(_ rest: (inout ByteWriter) -> Void) -> [UInt8] {
            record { w in
                w.uvarint(0)                          // no malformed reasons
                w.uvarint(1)                          // one second
                w.svarint(baseTime)
                for _ in 0..<6 { w.uvarint(0) }       // requests, bytes, 5xx, malformed, late, codes
                rest(&w)
            }
        }
        func emptyTopK(_ w: inout ByteWriter) { w.uvarint(8); w.uvarint(0); w.uvarint(0); w.uvarint(0) }
        let padding = [UInt8](repeating: 0, count: 64)
        let cases: [(String, [UInt8], AggregateDecodingError)] = [
            ("bad magic", Array("LTMX".utf8) + [1], .badMagic),
            ("version", MetricsPartial.magic + [9], .unsupportedVersion(9)),
            ("member length", MetricsPartial.magic + [1] + [0xFF, 0xFF, 0xFF, 0xFF, 0x0F], .invalid("member out of range")),
            ("member not UTF-8", MetricsPartial.magic + [1, 2, 0xC3, 0x28], .invalid("member is not UTF-8")),
            ("11-byte varint", record { w in for _ in 0..<10 { w.byte(0xFF) }; w.byte(1) }, .invalid("varint beyond 64 bits")),
            ("2^63 seconds", record { w in w.uvarint(0); w.uvarint(UInt64(1) << 62) }, .invalid("seconds: count out of range")),
            ("more seconds than bytes", record { w in w.uvarint(0); w.uvarint(1_000) } + padding, .truncated),
            ("unknown reason", record { w in w.uvarint(1); w.byte(200); w.uvarint(1) }, .invalid("unknown malformed reason")),
            ("second out of range", record { w in w.uvarint(0); w.uvarint(1); w.svarint(.max) } + padding, .invalid("second out of range")),
            ("huge requests", record { w in w.uvarint(0); w.uvarint(1); w.svarint(baseTime); w.uvarint(UInt64(1) << 41) } + padding,
             .invalid("requests out of range")),
            ("capacity 2^62", second { w in w.uvarint(UInt64(1) << 62) } + padding, .invalid("top list capacity out of range")),
            ("capacity 0", second { w in w.uvarint(0) } + padding, .invalid("top list capacity 0")),
            ("entries beyond capacity", second { w in w.uvarint(4); w.uvarint(0); w.uvarint(0); w.uvarint(5) } + padding,
             .invalid("top list entries: count out of range")),
            ("key length 2^40", second { w in w.uvarint(8); w.uvarint(1); w.uvarint(1); w.uvarint(1); w.uvarint(UInt64(1) << 40) } + padding,
             .invalid("key length out of range")),
            ("key with an escape", second { w in
                w.uvarint(8); w.uvarint(1); w.uvarint(1); w.uvarint(1)
                w.uvarint(4); for b in "a\u{1b}[m".utf8 { w.byte(b) }; for _ in 0..<4 { w.uvarint(1) }
            } + padding, .invalid("top list key is not sanitised text")),
            ("duplicate keys", second { w in
                w.uvarint(8); w.uvarint(2); w.uvarint(1); w.uvarint(2)
                for _ in 0..<2 { w.uvarint(1); w.byte(UInt8(ascii: "k")); w.uvarint(1); for _ in 0..<3 { w.uvarint(0) } }
            } + padding, .invalid("duplicate key in a top list")),
            ("heap not a permutation", second { w in
                w.uvarint(2); w.uvarint(2); w.uvarint(1); w.uvarint(2)
                for k in ["a", "b"] { w.uvarint(1); w.byte(k.utf8.first!); w.uvarint(1); for _ in 0..<3 { w.uvarint(0) } }
                w.uvarint(1); w.uvarint(1)
            } + padding, .invalid("top list heap out of order")),
            ("count 2^41", second { w in
                w.uvarint(8); w.uvarint(1); w.uvarint(1); w.uvarint(1)
                w.uvarint(1); w.byte(UInt8(ascii: "k")); w.uvarint(UInt64(1) << 41)
            } + padding, .invalid("top list count out of range")),
            ("register rank 200", second { w in for _ in 0..<5 { emptyTopK(&w) }; w.byte(1); w.uvarint(1); w.uvarint(3); w.byte(200) } + padding,
             .invalid("register rank out of range")),
            ("register index 20000", second { w in for _ in 0..<5 { emptyTopK(&w) }; w.byte(1); w.uvarint(1); w.uvarint(20_000); w.byte(1) } + padding,
             .invalid("register index out of range")),
            ("300 exact hashes", second { w in for _ in 0..<5 { emptyTopK(&w) }; w.byte(0); w.uvarint(300) } + [UInt8](repeating: 1, count: 3_000),
             .invalid("unique-client hashes: count out of range")),
            ("sketch mode 7", second { w in for _ in 0..<5 { emptyTopK(&w) }; w.byte(7) } + padding, .invalid("unique-client sketch mode 7")),
            ("latency buckets 10^6", second { w in for _ in 0..<5 { emptyTopK(&w) }; w.byte(0); w.uvarint(0); w.uvarint(1_000_000) } + padding,
             .invalid("latency buckets out of range")),
            ("latency total", second { w in
                for _ in 0..<5 { emptyTopK(&w) }; w.byte(0); w.uvarint(0)
                w.uvarint(10); w.uvarint(1); w.uvarint(2); w.uvarint(5); w.uvarint(6); w.uvarint(0)
            }, .invalid("latency counts do not add up to the total")),
        ]
        for (name, bytes, error) in cases {
            do throws(AggregateDecodingError) {
                _ = try MetricsPartial(decoding: bytes)
                Issue.record("\(name): decoded")
            } catch let thrown {
                #expect(thrown == error, "\(name)")
            }
        }
        // A hand-made aggregate is accepted when its figures add up, and refused when they do not.
        var w = ByteWriter()
        w.byte(AggregateCodec.version)
        w.uvarint(2); w.svarint(10); w.uvarint(0); w.uvarint(0); w.uvarint(0)
        w.uvarint(1); w.uvarint(200); w.uvarint(2)           // code 200 twice: adds up
        for _ in 0..<5 { emptyTopK(&w) }
        w.byte(0); w.uvarint(0)
        for _ in 0..<4 { w.uvarint(0) }
        #expect((try? TrafficAggregate(decoding: w.bytes))?.count(status: 200...200) == 2)
        var inconsistent = w.bytes
        inconsistent[1] = 3                                   // 3 requests, 2 status counts
        #expect(throws: AggregateDecodingError.invalid("status counts do not add up to the requests")) {
            try TrafficAggregate(decoding: inconsistent)
        }
    }
}

/// `reports` with their lateness figures cleared.
func withoutLateness(_ reports: [IntervalReport]) -> [IntervalReport] {
    reports.map {
        var r = $0
        r.lateness = LatenessFigures()
        return r
    }
}
