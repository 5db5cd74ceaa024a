import Testing
@testable import LogtopCore

@Suite struct WindowsAndWatermark {
    @Test func intervalsCloseWhenTheWatermarkPassesTheirEnd() {
        var e = engine { $0.interval = 60; $0.lateness = 5 }
        e.feed(0..<64, perSecond: 2)
        #expect(e.takeReports().isEmpty)  // watermark at 63 - 5 = 58 < 60
        e.feed(64..<66, perSecond: 2)     // watermark 60: [0, 60) is final
        let reports = e.takeReports()
        #expect(reports.count == 1)
        #expect(reports[0].start == baseTime && reports[0].end == baseTime + 60)
        #expect(reports[0].summary.requests == 120)
        #expect(reports[0].peakRate == 2)
    }

    /// Behind the per-second watermark but in an interval not written yet: counted in its interval
    /// (and in its second, still held, for the live window), not late.
    @Test func recordsOfAnOpenIntervalCountThereWhateverTheirOrder() {
        var e = engine { $0.lateness = 5 }
        e.feed(0..<20, perSecond: 1)
        e.ingest(line: accessLine(at: baseTime + 16))   // within lateness
        e.ingest(line: accessLine(at: baseTime + 10))   // behind watermark 14, interval [0, 60) open
        #expect(e.lateCount == 0)
        let snap = e.snapshot()
        #expect(snap.late == 0)
        #expect(snap.window.requests == 22)
        let out = e.finish()
        #expect(out.count == 2)
        #expect(out[0].summary.requests == 22 && out[0].summary.late == 0)
        #expect(out[0].lateness == LatenessFigures(max: 9, p99: 9))
        #expect(out[1].isTotal && out[1].summary.requests == 22)
    }

    /// Only a record whose interval was written is late: in the total, counted as late in the
    /// interval open when it arrived, which names the interval it missed.
    @Test func lateRecordsAreCountedNotDropped() {
        var e = engine { $0.lateness = 5; $0.interval = 10 }
        e.feed(0..<20, perSecond: 1)                    // [0, 10) written at 15
        e.ingest(line: accessLine(at: baseTime + 3))    // its interval was written: late
        #expect(e.lateCount == 1)
        #expect(e.snapshot().late == 1)
        let out = e.finish()
        let total = out.last!
        #expect(total.isTotal)
        #expect(total.summary.requests == 21)   // late one is in the grand total
        #expect(total.summary.late == 1)
        #expect(total.lateFor == [LateArrivals(start: baseTime, end: baseTime + 10, count: 1)])
        #expect(total.lateness.max == 16)
        #expect(out.dropLast().reduce(0) { $0 + $1.summary.requests } == 20)
        let second = out.first { $0.start == baseTime + 10 }!
        #expect(second.summary.late == 1 && second.lateFor == total.lateFor)
    }

    /// With several intervals open, a late record counts in the one open at the newest event time
    /// (where it arrived), and that block names the interval it missed, not the next one written.
    @Test func lateRecordsAreNamedByTheBlockTheyArrivedIn() {
        var e = engine { $0.lateness = 5; $0.interval = 60; $0.intervalLateness = 70 }
        e.feed(0..<131, perSecond: 1)                   // [0, 60) written at 130; [60, 120) and [120, 180) open
        e.ingest(line: accessLine(at: baseTime + 10))
        #expect(e.lateCount == 1)
        let out = e.finish()
        let middle = out.first { $0.start == baseTime + 60 }!
        let last = out.first { $0.start == baseTime + 120 }!
        #expect(middle.summary.late == 0 && middle.lateFor.isEmpty && middle.summary.requests == 60)
        #expect(last.summary.late == 1 && last.lateFor == [LateArrivals(start: baseTime, end: baseTime + 60, count: 1)])
        #expect(out.last!.lateFor == last.lateFor && out.last!.summary.requests == 132)
    }

    @Test func slidingWindowOnlyHoldsTheLastSeconds() {
        var e = engine { $0.window = 10 }
        e.feed(0..<30, perSecond: 3)
        let s = e.snapshot()
        #expect(s.window.requests == 30)
        #expect(s.perSecond == Array(repeating: 3, count: 10))
        #expect(s.averageRate == 3)
        #expect(s.runTotalRequests == 90)
    }

    @Test func outOfOrderWithinLatenessIsExact() {
        var e = engine { $0.lateness = 5; $0.interval = 10 }
        for s: Int64 in [0, 3, 1, 4, 2, 9, 5, 8, 6, 7] { e.ingest(line: accessLine(at: baseTime + s)) }
        let out = e.finish()
        #expect(out.count == 2)
        #expect(out[0].summary.requests == 10 && out[0].summary.late == 0)
    }

    @Test func idleClockMovesEventTimeOnAndClosesIntervals() {
        var e = engine { $0.interval = 10; $0.lateness = 2; $0.idleAdvance = 2 }
        e.feed(0..<5, perSecond: 1)
        let wall: Int64 = 5_000_000
        e.tick(now: wall)
        #expect(e.takeReports().isEmpty)
        e.tick(now: wall + 1)
        #expect(e.maxEventTime == baseTime + 4)   // not idle long enough yet
        e.tick(now: wall + 20)
        #expect(e.maxEventTime == baseTime + 24)
        let reports = e.takeReports()
        #expect(reports.map(\.summary.requests) == [5, 0])  // the silent interval is reported too
    }

    @Test func gapsInReplayedLogsSkipEmptyIntervals() {
        var e = engine { $0.interval = 60 }
        e.feed(0..<10, perSecond: 1)
        e.feed(86_400..<86_410, perSecond: 1)   // a day later
        let out = e.finish()
        #expect(out.filter { !$0.isTotal }.map(\.summary.requests) == [10, 10])
        #expect(out.last!.summary.requests == 20)
    }

    @Test func malformedLinesAreCountedAndSampled() {
        var e = engine()
        e.ingest(line: "garbage \u{1b}[31m")
        e.feed(0..<2, perSecond: 1)
        e.ingest(line: "{broken")
        let s = e.snapshot()
        #expect(s.malformed == 2)
        #expect(s.malformedSamples.map(\.text) == ["{broken", #"garbage \x1b[31m"#])
        #expect(s.malformedByReason[.badJSON] == 1)
        let total = e.finish().last!
        #expect(total.summary.malformed == 2)
        #expect(total.summary.requests == 2)
    }

    @Test func statusClassesTopListsAndLatency() {
        var e = engine()
        e.feed(0..<10, perSecond: 10) { t, i in
            accessLine(i < 5 ? "1.1.1.1" : "2.2.2.\(i)", at: t, path: i % 2 == 0 ? "/a?x=\(i)" : "/b",
                       status: i == 9 ? 503 : (i == 8 ? 404 : 200), seconds: Double(i + 1) / 100)
        }
        let w = e.snapshot().window
        #expect(w.requests == 100)
        #expect(w.classes == [0, 80, 0, 10, 10])
        #expect(w.errorRate == 0.1)
        #expect(w.topPaths.map(\.key) == ["/a", "/b"])
        #expect(w.topPaths[1].serverErrors == 10 && w.topPaths[0].clientErrors == 10)
        #expect(w.topClients[0] == TopEntry(key: "1.1.1.1", count: 50))
        #expect(w.uniqueClients == 6)
        let lat = try! #require(w.latency)
        #expect(abs(lat.p50 - 50) <= 1 && abs(lat.p95 - 100) <= 1.6)
    }
}

@Suite struct BoundedMemory {
    /// A second's aggregate reuses the storage of one that left the window: cleared, it is a new one.
    @Test func aClearedAggregateIsANewOne() {
        var parser = AccessLogParser()
        func fill(_ a: inout TrafficAggregate, _ seed: Int) {
            for i in 0..<300 {
                let line = accessLine("10.0.\(seed).\(i % 200)", at: 1_000, path: "/p/\(i % 150)", status: i % 7 == 0 ? 503 : 404,
                                      bytes: i, seconds: Double(i % 40) / 10, agent: "agent-\(i % 9)")
                guard case .record(let r) = parser.parse(line) else { Issue.record("not parsed"); return }
                a.add(r)
            }
        }
        var used = TrafficAggregate(capacity: 32, exactKeys: 4_096)
        fill(&used, 1)
        used.endExactCounting()
        used.clear(exactKeys: 4_096)
        #expect(used == TrafficAggregate(capacity: 32, exactKeys: 4_096) && used.uniqueClients.isEmpty && used.latency.total == 0)
        var fresh = TrafficAggregate(capacity: 32, exactKeys: 4_096)
        fill(&used, 2)
        fill(&fresh, 2)
        #expect(used == fresh && used.paths.isExact && used.summary() == fresh.summary())
    }

    @Test func manyDistinctKeysKeepSketchesBounded() {
        var e = engine {
            $0.secondCapacity = 32; $0.secondExactKeys = 500; $0.reportCapacity = 64; $0.exactKeys = 1_000; $0.openIntervalKeys = 6_000
        }
        e.feed(0..<20, perSecond: 2_000) { t, i in accessLine("10.\(t % 250).\(i / 250).\(i % 250)", at: t, path: "/u/\(t)/\(i)") }
        e.feed(20..<21, perSecond: 400) { t, i in accessLine("10.\(t % 250).\(i / 250).\(i % 250)", at: t, path: "/u/\(t)/\(i)") }
        // 40,400 distinct paths and clients: every list held is at its bound, not at the keys seen (a
        // second not final yet at `secondExactKeys`, the others at `secondCapacity`).
        #expect(e.buckets.isPending(e.maxEventTime!))
        for t in e.buckets.keys {
            let bound = e.buckets.isPending(t) ? 500 : 32
            e.buckets.read(t) { a in
                #expect(a.pointee.paths.count <= bound && a.pointee.clients.count <= bound, "second \(t)")
            }
        }
        for interval in e.open {
            #expect(interval.aggregate.paths.count <= 1_000 && interval.aggregate.clients.count <= 1_000)
        }
        #expect(e.open.reduce(0) { $0 + $1.keys } <= 6_000 + 4 * 1_000, "open intervals together stay near their bound")
        let w = e.snapshot().window
        #expect(w.requests == 40_400)
        #expect(w.topPaths.count == 10)
        #expect(!w.exact.paths && !w.exact.clients, "the lists say they are estimates")
        #expect(abs(Double(w.uniqueClients - 40_400)) / 40_400 < 0.02)
    }
}
