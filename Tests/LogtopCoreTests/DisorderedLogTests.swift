import LogtopTestSupport
import Testing
@testable import LogtopCore

/// Real-world disorder (see `DisorderedLogCorpus`): with the defaults a finite input gets, every
/// minute's report equals the count made in the test from the generated values, and nothing is late.
@Suite struct DisorderedLogs {
    /// The engine settings of a file or standard input (what `PipelineConfig.engine` gives them).
    static func fileEngine() -> AnalysisEngine {
        var c = EngineConfig()
        c.finiteInput = true
        return AnalysisEngine(config: c)
    }

    @Test(arguments: DisorderedLogCorpus.Disorder.allCases)
    func everyMinuteHoldsEveryRequestOfItsMinute(_ disorder: DisorderedLogCorpus.Disorder) {
        let corpus = DisorderedLogCorpus(disorder)
        var e = Self.fileEngine()
        for r in corpus.requests { e.ingest(line: r.line) }
        #expect(e.lateCount == 0)
        let snap = e.snapshot()  // what the dashboard shows for the run
        #expect(snap.late == 0 && snap.runTotalRequests == corpus.requests.count && snap.malformed == 0)
        let reports = e.finish()
        Self.expectMatches(reports, corpus, checkLateness: true)
    }

    /// The merged scale-out view (one member publishing per-second partials, the view's live default
    /// lateness of 15 s) reports the same minutes as batch mode on the inputs whose disorder stays
    /// within a minute and the lateness (see docs/event-time.md for the rest).
    @Test(arguments: [DisorderedLogCorpus.Disorder.shuffledWithinMinute, .timeZoneChange, .multiDayGap])
    func mergedViewAgreesWithBatch(_ disorder: DisorderedLogCorpus.Disorder) throws {
        let corpus = DisorderedLogCorpus(disorder)
        var batch = Self.fileEngine()
        var config = EngineConfig()
        config.lateness = 15
        var view = AnalysisEngine(config: config)
        var member = PartialAggregator(topic: "logs", partition: 0)
        for (offset, r) in corpus.requests.enumerated() {
            batch.ingest(line: r.line)
            member.ingest(line: r.line, offset: Int64(offset))
            if offset % 97 == 96, let p = member.take(member: "m", producedAt: 0, memberLag: 0) {
                view.ingest(try MetricsPartial(decoding: p.encode()))
            }
        }
        if let p = member.take(member: "m", producedAt: 0, memberLag: 0) { view.ingest(try MetricsPartial(decoding: p.encode())) }
        #expect(view.lateCount == 0)
        let merged = view.finish()
        Self.expectMatches(merged, corpus, checkLateness: false)
        let single = batch.finish()
        #expect(merged.map(\.summary.requests) == single.map(\.summary.requests))
        #expect(merged.map(\.summary.topPaths) == single.map(\.summary.topPaths))
        #expect(merged.map(\.summary.topClients) == single.map(\.summary.topClients))
    }

    /// Live sources keep the short lateness: there, a request logged minutes late is late, counted in
    /// the total, and the interval that missed it is named.
    @Test func liveLatenessCountsMinutesLateRequestsAsLate() {
        let corpus = DisorderedLogCorpus(.longRequests)
        var e = AnalysisEngine(config: EngineConfig())  // not finite: 5 s
        for r in corpus.requests { e.ingest(line: r.line) }
        #expect(e.lateCount > 0)
        let reports = e.finish()
        let total = reports.last!
        #expect(total.summary.requests == corpus.requests.count)
        #expect(total.summary.late == e.lateCount)
        #expect(total.lateFor.reduce(0) { $0 + $1.count } == e.lateCount)
        #expect(reports.dropLast().reduce(0) { $0 + $1.summary.late } == e.lateCount)
        #expect(reports.dropLast().reduce(0) { $0 + $1.summary.requests } == corpus.requests.count - e.lateCount)
        #expect(total.allowedLateness == 5)
    }

    /// Live default lateness (5 s): lines shuffled within their minute are still all counted in it
    /// (an interval stays open until the next minute's lines are 5 s old).
    @Test func liveLatenessCountsShufflingWithinTheMinute() {
        let corpus = DisorderedLogCorpus(.shuffledWithinMinute)
        var e = AnalysisEngine(config: EngineConfig())
        for r in corpus.requests { e.ingest(line: r.line) }
        #expect(e.lateCount == 0)
        Self.expectMatches(e.finish(), corpus, checkLateness: true)
    }

    /// A lateness at the TOTAL's largest lateness makes nothing late; for minutes-long requests half
    /// of it leaves some late.
    @Test(arguments: [DisorderedLogCorpus.Disorder.longRequests, .clockStepBack])
    func latenessAtTheLargestSeenMakesNothingLate(_ disorder: DisorderedLogCorpus.Disorder) {
        let corpus = DisorderedLogCorpus(disorder)
        let largest = Int(corpus.lateness.max)
        for (lateness, none) in disorder == .longRequests ? [(largest, true), (largest / 2, false)] : [(largest, true)] {
            var c = EngineConfig()
            c.intervalLateness = lateness
            var e = AnalysisEngine(config: c)
            for r in corpus.requests { e.ingest(line: r.line) }
            #expect((e.lateCount == 0) == none, "lateness \(lateness)")
            if none { Self.expectMatches(e.finish(), corpus, checkLateness: true) }
        }
        // At the 99th percentile, at most 1 % late.
        var c = EngineConfig()
        c.intervalLateness = Int(corpus.lateness.p99)
        var e = AnalysisEngine(config: c)
        for r in corpus.requests { e.ingest(line: r.line) }
        #expect(e.lateCount * 100 <= corpus.requests.count)
    }

    /// A second's records reach their interval when the second is final, or, once its lists would pass
    /// `secondExactKeys` keys, at that moment and then one by one: the minutes come out the same for
    /// every size (1: every second's records after its first one by one), and the run's counters (the
    /// metrics endpoint's) count the seconds not final yet all along.
    @Test(arguments: [1, 3, 4_096])
    func secondsReachTheirMinuteWhateverTheirSize(_ secondExactKeys: Int) {
        let corpus = DisorderedLogCorpus(.shuffledWithinMinute)
        var c = EngineConfig()
        c.finiteInput = true
        c.secondExactKeys = secondExactKeys
        var e = AnalysisEngine(config: c)
        for (n, r) in corpus.requests.enumerated() {
            e.ingest(line: r.line)
            if n % 97 == 0 { #expect(e.runCounters().requests == n + 1) }
        }
        Self.expectMatches(e.finish(), corpus, checkLateness: true)
    }

    /// The same with the live lateness (5 s), where requests logged minutes late arrive after their
    /// interval was written, after their second left the window, or while it is still held: the TOTAL
    /// holds every request, exactly, and the minutes hold the rest.
    @Test(arguments: [1, 3, 4_096])
    func lateRequestsReachTheTotalWhateverTheSecondsSize(_ secondExactKeys: Int) {
        let corpus = DisorderedLogCorpus(.longRequests)
        var c = EngineConfig()
        c.secondExactKeys = secondExactKeys
        var e = AnalysisEngine(config: c)
        for (n, r) in corpus.requests.enumerated() {
            e.ingest(line: r.line)
            if n % 97 == 0 { #expect(e.runCounters().requests == n + 1) }
        }
        #expect(e.lateCount > 0)
        let reports = e.finish()
        Self.expectFigures(reports.last!, corpus.total, late: e.lateCount)
        #expect(reports.dropLast().reduce(0) { $0 + $1.summary.requests } == corpus.requests.count - e.lateCount)
    }

    /// Past `exactKeys` distinct keys a report's list is a sketch and says so; below, exact.
    @Test func listsSayWhetherTheyAreExact() {
        let corpus = DisorderedLogCorpus(.shuffledWithinMinute)
        var c = EngineConfig()
        c.finiteInput = true
        c.exactKeys = 60  // fewer than a minute's clients, more than its referrers and agents
        c.reportCapacity = 20
        var e = AnalysisEngine(config: c)
        for r in corpus.requests { e.ingest(line: r.line) }
        let reports = e.finish()
        for r in reports {
            #expect(!r.summary.exact.clients && r.summary.exact.referrers && r.summary.exact.userAgents)
            // Counts never below the truth, and `count - error` never above it.
            let truth = r.isTotal ? corpus.total.clients : corpus.perMinute[r.start]!.clients
            for entry in r.summary.topClients {
                let n = truth[entry.key] ?? 0
                #expect(entry.count >= n && entry.count - entry.error <= n)
            }
            let json = ReportFormatter.json(r)
            #expect(json.contains("\"exact\":{\"top_paths\":\(r.summary.exact.paths),\"top_clients\":false,\"top_referrers\":true,\"top_user_agents\":true}"))
        }
    }

    /// The case: more distinct clients than the old 1,024-entry sketch held, and the TOTAL's
    /// counts are exact (no `(±1)`), with `"error":0` in the JSON.
    @Test func totalTopClientsAreExactBeyondTheOldSketch() {
        let corpus = DisorderedLogCorpus(.shuffledWithinMinute, minutes: 30)
        #expect(corpus.total.clients.count > 1_024)
        var e = Self.fileEngine()
        for r in corpus.requests { e.ingest(line: r.line) }
        let total = e.finish().last!
        #expect(total.summary.exact.clients)
        #expect(total.summary.topClients.map(\.count) == DisorderedLogCorpus.Figures.top(corpus.total.clients, 10).map(\.count))
        #expect(total.summary.topClients.allSatisfy { $0.error == 0 })
        let text = ReportFormatter.text(total)
        #expect(!text.contains("(±"))
        let json = ReportFormatter.json(total)
        #expect(json.contains("\"count\":\(total.summary.topClients[0].count),\"error\":0}"))
    }

    /// Open intervals never hold more keys than `openIntervalKeys`: past that the oldest is written
    /// early, and records that arrive for it later are late (counted, named), not lost.
    @Test func openIntervalsAreBoundedInKeys() {
        let corpus = DisorderedLogCorpus(.longRequests)
        var c = EngineConfig()
        c.finiteInput = true
        c.openIntervalKeys = 400  // about two minutes' paths and clients
        var e = AnalysisEngine(config: c)
        for r in corpus.requests { e.ingest(line: r.line) }
        #expect(e.lateCount > 0)
        let reports = e.finish()
        #expect(reports.last!.summary.requests == corpus.requests.count)
        #expect(reports.dropLast().reduce(0) { $0 + $1.summary.requests } == corpus.requests.count - e.lateCount)
    }

    /// Every minute of `reports` against the corpus: requests, bytes, status codes, the four top
    /// lists (exact: error 0, `exact` set), nothing late; the total too.
    static func expectMatches(_ reports: [IntervalReport], _ corpus: DisorderedLogCorpus, checkLateness: Bool) {
        let expected = corpus.perMinute
        let intervals = reports.filter { !$0.isTotal }
        #expect(intervals.map(\.start) == expected.keys.sorted(), "one block per minute with requests")
        let lateness = corpus.latenessPerMinute
        for r in intervals {
            guard let f = expected[r.start] else { continue }
            expectFigures(r, f)
            if checkLateness {
                #expect(r.lateness.max == lateness[r.start]!.max && r.lateness.p99 == lateness[r.start]!.p99)
            }
        }
        let total = reports.last!
        #expect(total.isTotal)
        expectFigures(total, corpus.total)
        if checkLateness {
            let l = corpus.lateness
            #expect(total.lateness.max == l.max && total.lateness.p99 == l.p99)
        }
    }

    static func expectFigures(_ r: IntervalReport, _ f: DisorderedLogCorpus.Figures, late: Int = 0,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        let s = r.summary
        #expect(s.requests == f.requests, "\(CivilTime.iso8601(r.start))", sourceLocation: sourceLocation)
        #expect(s.bytes == Int64(f.bytes), sourceLocation: sourceLocation)
        #expect(Dictionary(uniqueKeysWithValues: s.status.map { ($0.code, $0.count) }) == f.status, sourceLocation: sourceLocation)
        #expect(s.late == late && r.lateFor.isEmpty == (late == 0) && s.malformed == 0, sourceLocation: sourceLocation)
        #expect(s.exact == TopExactness(), sourceLocation: sourceLocation)
        func same(_ got: [TopEntry], _ want: [String: Int]) -> Bool {
            let w = DisorderedLogCorpus.Figures.top(want, 10)
            return got.map(\.key) == w.map(\.key) && got.map(\.count) == w.map(\.count) && got.allSatisfy { $0.error == 0 }
        }
        #expect(same(s.topPaths, f.paths), sourceLocation: sourceLocation)
        #expect(same(s.topClients, f.clients), sourceLocation: sourceLocation)
        #expect(same(s.topReferrers, f.referrers), sourceLocation: sourceLocation)
        #expect(same(s.topUserAgents, f.agents), sourceLocation: sourceLocation)
    }
}
