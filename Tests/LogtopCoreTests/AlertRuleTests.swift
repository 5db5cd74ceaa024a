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
        // The default is an absolute capacity limit, and the rule says so.
        let rule = try #require(e.rules.first)
        #expect(rule.threshold == 10_000 && rule.unit == "req/s" && rule.isCapacityLimit)
        #expect(rule.summary.contains("absolute"))
        #expect(AlertRule.defaults.filter(\.isCapacityLimit).map(\.kind) == [.rateHigh])
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

    @Test func clientFloodIsTheBusiestClientsShare() throws {
        var e = engine(only(.clientFlood))
        #expect(run(&e, 0..<30, perSecond: 40).isEmpty)
        // 80 of 120 requests a second from one client: 66.7 % of the requests, 80 req/s.
        let flood = run(&e, 30..<60, perSecond: 120) { t, i in
            accessLine(i < 80 ? "198.51.100.66" : "10.0.0.\(i)", at: t)
        }
        let f = try #require(flood.first)
        #expect(f.rule == .clientFlood && f.offender == "198.51.100.66" && f.unit == "%" && f.threshold == 30)
        // Independent arithmetic over the 10 s window ending at the event: seconds from 30 on carry
        // 80 of the client's requests among 120, earlier ones 40 requests from others.
        let last = f.time - baseTime
        let floodSeconds = Double(last - max(30, last - 9) + 1), quietSeconds = 10 - floodSeconds
        let share = 100 * 80 * floodSeconds / (120 * floodSeconds + 40 * quietSeconds)
        #expect(abs(f.value - share) < 1e-9 && f.rate == 8 * floodSeconds)
        #expect(f.message == "FIRING client_flood \(Format.number(share)) % >= 30 % over 10 s, \(Format.number(8 * floodSeconds)) req/s (client 198.51.100.66)")
        // Back to one client in three (33 %: above the 24 % hysteresis bound), then one in six (16.7 %).
        #expect(run(&e, 60..<90, perSecond: 120) { t, i in accessLine(i < 40 ? "198.51.100.66" : "10.0.0.\(i)", at: t) }.isEmpty)
        let calm = run(&e, 90..<120, perSecond: 120) { t, i in accessLine(i < 20 ? "198.51.100.66" : "10.0.0.\(i)", at: t) }
        #expect(calm.map(\.state) == [.resolved] && calm.first?.offender == "198.51.100.66")
    }

    /// The same share from one client at 9 req/s is below the floor (10 req/s, 100 requests in the
    /// 10 s window): a quiet site's only visitor is not a flood.
    @Test func clientFloodHasAnAbsoluteFloor() throws {
        var e = engine(only(.clientFlood))
        #expect(run(&e, 0..<60, perSecond: 9) { t, _ in accessLine("198.51.100.7", at: t) }.isEmpty)
        let f = try #require(run(&e, 60..<80, perSecond: 10) { t, _ in accessLine("198.51.100.7", at: t) }.first)
        #expect(f.value == 100 && f.rate == 10)
    }

    @Test func notFoundSurgeIsTheShareOf404sAndNamesTheScanner() throws {
        var e = engine(only(.notFoundSurge))
        // 30 404s of 40 requests a second: 75 %, 30 404/s.
        let scan = run(&e, 0..<30, perSecond: 40) { t, i in
            i < 30 ? accessLine("203.0.113.5", at: t, path: "/wp-\(t)-\(i).php", status: 404) : accessLine(at: t)
        }
        let f = try #require(scan.first)
        // The window ending at the event holds the seconds from 0 on: 30 404s in each.
        let seconds = Double(min(10, f.time - baseTime + 1))
        #expect(f.rule == .notFoundSurge && f.offender == "203.0.113.5" && f.value == 75 && f.unit == "%")
        #expect(f.rate == 3 * seconds)
        #expect(f.message == "FIRING not_found_surge 75 % >= 10 % over 10 s, \(Format.number(3 * seconds)) 404/s (client 203.0.113.5)")
        // 6 404s of 100 (6 %, under the 8 % bound) resolve it; 100 % 404s at 4 404/s (below the floor
        // of 5 404/s) never fire it.
        let calm = run(&e, 30..<60, perSecond: 100) { t, i in accessLine(at: t, path: "/x\(i)", status: i < 6 ? 404 : 200) }
        #expect(calm.map(\.state) == [.resolved])
        #expect(run(&e, 60..<120, perSecond: 4) { t, i in accessLine(at: t, path: "/y\(i)", status: 404) }.isEmpty)
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
        // One client in two: 50 % of the requests, under a threshold of 60 %.
        let half = { (t: Int64, i: Int) in accessLine(i % 2 == 0 ? "198.51.100.7" : "10.0.0.\(i)", at: t) }
        e.apply(.setThreshold(.clientFlood, 60))
        #expect(run(&e, 0..<30, perSecond: 100, make: half).isEmpty)
        #expect(e.rules.first?.threshold == 60)
        e.apply(.setThreshold(.clientFlood, 45))
        let loud = run(&e, 30..<40, perSecond: 100, make: half)
        #expect(loud.map(\.state) == [.firing])
        #expect(loud.first?.threshold == 45 && loud.first?.value == 50)
        // Thresholds never go below the rule's minimum.
        e.apply(.setThreshold(.clientFlood, -3))
        #expect(e.rules.first!.threshold > 0)
    }

    /// Every rule's unit, step and minimum agree with its value: shares in percent.
    @Test func unitsStepsAndMinimums() {
        let byKind = Dictionary(uniqueKeysWithValues: AlertRule.defaults.map { ($0.kind, $0) })
        #expect(byKind[.clientFlood]!.unit == "%" && byKind[.notFoundSurge]!.unit == "%" && byKind[.errorRate]!.unit == "%")
        #expect(byKind[.clientFlood]!.step == 5 && byKind[.notFoundSurge]!.step == 1 && byKind[.rateHigh]!.step == 1_000)
        #expect(byKind[.clientFlood]!.floorRate == 10 && byKind[.notFoundSurge]!.floorRate == 5)
        #expect(byKind[.clientFlood]!.summary.contains("share of requests") && byKind[.clientFlood]!.summary.contains("10 req/s"))
        for r in AlertRule.defaults {
            #expect(r.minimumThreshold > 0 && r.minimumThreshold <= r.threshold && r.step > 0)
        }
    }

    @Test func alertsAreReportedInTheirInterval() throws {
        var e = engine { c in c.rules = AlertRule.defaults.filter { $0.kind == .clientFlood }; c.interval = 60 }
        _ = run(&e, 0..<30, perSecond: 100) { t, i in accessLine(i < 50 ? "198.51.100.7" : "10.0.0.\(i)", at: t) }
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
