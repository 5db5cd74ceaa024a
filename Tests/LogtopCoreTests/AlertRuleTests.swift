import Testing
@testable import LogtopCore

/// Runs `seconds` of traffic and returns the alert events raised.
private func run(_ e: inout AnalysisEngine, _ range: Range<Int64>, perSecond: Int,
                 make: @escaping (Int64, Int) -> String = { t, i in accessLine("10.0.\(i % 7).\(i)", at: t, path: "/p\(i % 5)", seconds: 0.02) }) -> [AlertEvent] {
    e.feed(range, perSecond: perSecond, make: make)
    return e.takeAlerts()
}

private func only(_ kind: AlertKind) -> (inout EngineConfig) -> Void {
    { c in c.rules = AlertRule.defaults.filter { $0.kind == kind } }
}

@Suite struct AlertRules {
    @Test func errorRateFiresAndResolvesWithHysteresis() throws {
        var e = engine(only(.errorRate))
        #expect(run(&e, 0..<60, perSecond: 10).isEmpty)
        let burst = run(&e, 60..<100, perSecond: 10) { t, i in accessLine(at: t, status: i < 3 ? 503 : 200) }
        let fired = try #require(burst.first)
        #expect(burst.count == 1)
        #expect(fired.rule == .errorRate && fired.state == .firing)
        #expect(fired.value >= 5 && fired.threshold == 5 && fired.unit == "%" && fired.window == 30)
        // Fired `forSeconds` after the window's rate first crossed 5 %.
        #expect(fired.time > baseTime + 60 && fired.time < baseTime + 75)
        #expect(e.snapshot().active.map(\.rule) == [.errorRate])
        // 4.5 % is below the threshold but above the 4 % hysteresis bound: stays firing.
        let hover = run(&e, 100..<200, perSecond: 200) { t, i in accessLine(at: t, status: i < 9 ? 500 : 200) }
        #expect(hover.isEmpty)
        let calm = run(&e, 200..<260, perSecond: 10)
        let resolved = try #require(calm.first)
        #expect(resolved.state == .resolved && resolved.firedAt == fired.time && resolved.id == fired.id)
        #expect(e.snapshot().active.isEmpty)
    }

    @Test func minimumVolumeGuardsAgainstNoise() {
        var e = engine(only(.errorRate))
        // One request per 10 s, all errors: 3 requests per 30 s window, below the minimum of 20.
        for s in stride(from: Int64(0), to: 200, by: 10) { e.ingest(line: accessLine(at: baseTime + s, status: 500)) }
        #expect(e.takeAlerts().isEmpty)
    }

    @Test func absoluteRateHigh() throws {
        var e = engine { c in c.rules = AlertRule.defaults.filter { $0.kind == .rateHigh } }
        e.apply(.setThreshold(.rateHigh, 50))
        #expect(run(&e, 0..<30, perSecond: 20).isEmpty)
        let events = run(&e, 30..<60, perSecond: 80)
        #expect(events.map(\.state) == [.firing])
        #expect(events.first.map { $0.value >= 50 } == true)
    }

    @Test func spikeAgainstBaseline() throws {
        var e = engine(only(.rateSpike))
        #expect(run(&e, 0..<80, perSecond: 10).isEmpty)
        let spike = run(&e, 80..<100, perSecond: 100)
        let f = try #require(spike.first)
        #expect(f.rule == .rateSpike && f.state == .firing && f.value >= 3)
        let back = run(&e, 100..<200, perSecond: 10)
        #expect(back.map(\.state) == [.resolved])
    }

    @Test func dropWhenTrafficVanishesKeepsItsBaseline() throws {
        var e = engine { c in c.rules = AlertRule.defaults.filter { $0.kind == .rateDrop }; c.idleAdvance = 2 }
        var wall: Int64 = 1_000
        for s in Int64(0)..<80 {
            e.feed(s..<(s + 1), perSecond: 10)
            e.tick(now: wall); wall += 1
        }
        #expect(e.takeAlerts().isEmpty)
        // Silence for two minutes: only the wall clock moves.
        for _ in 0..<120 { e.tick(now: wall); wall += 1 }
        let drop = e.takeAlerts()
        let f = try #require(drop.first)
        #expect(drop.count == 1)   // does not resolve on its own when the baseline window empties
        #expect(f.rule == .rateDrop && f.value <= 0.2)
        let t = e.maxEventTime! - baseTime + 1
        e.feed(t..<(t + 30), perSecond: 10)
        #expect(e.takeAlerts().map(\.state) == [.resolved])
    }

    @Test func clientFloodNamesTheOffender() throws {
        var e = engine(only(.clientFlood))
        #expect(run(&e, 0..<30, perSecond: 40).isEmpty)
        let flood = run(&e, 30..<60, perSecond: 120) { t, i in
            accessLine(i < 80 ? "198.51.100.66" : "10.0.0.\(i)", at: t)
        }
        let f = try #require(flood.first)
        #expect(f.rule == .clientFlood && f.offender == "198.51.100.66" && f.value >= 50)
        #expect(f.message.contains("198.51.100.66"))
    }

    @Test func notFoundSurgeNamesTheScanner() throws {
        var e = engine(only(.notFoundSurge))
        let scan = run(&e, 0..<30, perSecond: 40) { t, i in
            i < 30 ? accessLine("203.0.113.5", at: t, path: "/wp-\(t)-\(i).php", status: 404) : accessLine(at: t)
        }
        let f = try #require(scan.first)
        #expect(f.rule == .notFoundSurge && f.offender == "203.0.113.5" && f.value >= 20)
    }

    @Test func latencyP95() throws {
        var e = engine(only(.latencyP95))
        #expect(run(&e, 0..<40, perSecond: 10).isEmpty)
        let slow = run(&e, 40..<80, perSecond: 10) { t, i in accessLine(at: t, seconds: i < 8 ? 0.05 : 2.5) }
        let f = try #require(slow.first)
        #expect(f.rule == .latencyP95 && f.value >= 1000 && f.unit == "ms")
    }

    @Test func thresholdsChangeWhileRunning() {
        var e = engine(only(.clientFlood))
        e.apply(.setThreshold(.clientFlood, 500))
        let quiet = run(&e, 0..<30, perSecond: 100) { t, _ in accessLine("198.51.100.7", at: t) }
        #expect(quiet.isEmpty)
        #expect(e.rules.first?.threshold == 500)
        e.apply(.setThreshold(.clientFlood, 50))
        let loud = run(&e, 30..<40, perSecond: 100) { t, _ in accessLine("198.51.100.7", at: t) }
        #expect(loud.map(\.state) == [.firing])
        #expect(loud.first?.threshold == 50)
        // Thresholds never go below the rule's minimum.
        e.apply(.setThreshold(.clientFlood, -3))
        #expect(e.rules.first!.threshold > 0)
    }

    @Test func alertsAreReportedInTheirInterval() throws {
        var e = engine { c in c.rules = AlertRule.defaults.filter { $0.kind == .clientFlood }; c.interval = 60 }
        _ = run(&e, 0..<30, perSecond: 100) { t, _ in accessLine("198.51.100.7", at: t) }
        let reports = e.finish()
        let first = try #require(reports.first)
        #expect(first.alerts.map(\.rule) == [.clientFlood])
        #expect(ReportFormatter.text(first).contains("alerts fired    1"))
        #expect(reports.last!.alerts.count >= 1)
    }
}

@Suite struct EmptyRunReport {
    /// A run that never saw a record (e.g. a merged view with no analyzers) writes a TOTAL block
    /// without pretending its event time was the Unix epoch.
    @Test func theTotalOfAnEmptyRunHasNoEpochDates() throws {
        var engine = AnalysisEngine()
        let reports = engine.finish()
        let total = try #require(reports.first { $0.isTotal })
        let text = ReportFormatter.text(total)
        #expect(text.contains("==== TOTAL (no event time: no records)"))
        #expect(!text.contains("1970"))
        #expect(text.contains("requests        0"))
    }
}
