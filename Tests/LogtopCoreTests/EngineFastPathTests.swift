import Testing
@testable import LogtopCore

/// `AnalysisEngine.ingest(line:)` counts common/combined lines straight from their bytes (no
/// `LogRecord`, no `String` per field). These tests hold it to the meaning of the slow path: parse the
/// line into a `LogRecord`, then count the record.
@Suite struct EngineFastPath {
    /// Lines that exercise every branch of the fast path: ordinary traffic, fields that must be
    /// sanitised (controls, UTF-8, invalid bytes, longer than `Sanitizer.maxFieldBytes`), escaped
    /// quotes, JSON lines, malformed and late lines.
    static func lines() -> [[UInt8]] {
        var model = TrafficModel(seed: 5)
        var out: [[UInt8]] = []
        var t = baseTime
        for i in 0..<6_000 {
            if i % 40 == 0 { t += 1 }
            let scenario: TrafficScenario? = (i / 1_000) % 3 == 1 ? .flood : ((i / 1_000) % 3 == 2 ? .slow : nil)
            out.append(Array(model.nextLine(time: t, scenario: scenario).utf8))
            switch i % 97 {
            case 0: out.append(Array(accessLine("10.9.9.\(i % 5)", at: t, path: "/caf\u{e9}/\u{65e5}", agent: "bad\u{1b}[31m agent").utf8))
            case 1: out.append(Array(accessLine(at: t, path: "/" + String(repeating: "p", count: 700), agent: String(repeating: "A", count: 600)).utf8))
            case 2: out.append(Array(#"1.2.3.4 - - [\#(CivilTime.commonLogTime(t))] "GET /q\"x HTTP/1.1" 404 1 "http://r/\"x\"" "Mozilla \"q\" agent" 0.5"#.utf8))
            case 3: out.append(Array(accessLine(at: t - 30).utf8))  // late
            case 4: out.append(Array("garbage \u{1b} line".utf8))
            case 5: out.append(Array(#"{"time_iso8601":"2026-11-26T13:00:\#(String(format2: Int(t % 60)))+00:00","remote_addr":"10.7.7.7","request":"GET /json HTTP/1.1","status":"200","body_bytes_sent":"5","request_time":"0.010","http_user_agent":"curl/8"}"#.utf8))
            case 6:
                var invalid = Array(accessLine("10.1.1.1", at: t, path: "/x").utf8)
                invalid.insert(contentsOf: [0xFF, 0xC3, 0x00], at: invalid.firstIndex(of: UInt8(ascii: "x"))!)
                out.append(invalid)
            default: break
            }
        }
        return out
    }

    @Test func fastPathCountsWhatTheRecordPathCounts() {
        var fast = engine { $0.interval = 30; $0.window = 45 }
        var slow = engine { $0.interval = 30; $0.window = 45 }
        var parser = AccessLogParser()
        var wall: Int64 = 9_000_000
        for (n, line) in Self.lines().enumerated() {
            line.withUnsafeBufferPointer { bytes in
                fast.ingest(line: bytes)
                switch parser.parse(bytes) {
                case .record(let r): slow.ingest(r)
                case .malformed(let reason): slow.ingestMalformed(reason, line: bytes)
                }
            }
            if n % 500 == 0 {
                wall += 1
                fast.tick(now: wall)
                slow.tick(now: wall)
                #expect(fast.snapshot() == slow.snapshot())
                #expect(fast.takeReports() == slow.takeReports())
                #expect(fast.takeAlerts() == slow.takeAlerts())
            }
        }
        #expect(fast.malformedCount > 0 && fast.lateCount > 0)
        let reports = fast.finish()
        #expect(reports == slow.finish())
        let total = reports.last!.summary
        for list in [total.topPaths, total.topClients, total.topReferrers, total.topUserAgents] {
            for e in list {
                #expect(!e.key.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }, "\(e.key)")
            }
        }
        // Sanitised keys are the sanitised text, and are found again on later lines.
        var small = engine()
        for path in ["/caf\u{e9}", "/caf\u{e9}", "/a\u{7}b"] {
            small.ingest(line: accessLine(at: baseTime, path: path, agent: "bad\u{1b}[31m agent"))
        }
        let window = small.snapshot().window
        #expect(window.topUserAgents == [TopEntry(key: #"bad\x1b[31m agent"#, count: 3)])
        #expect(window.topPaths == [TopEntry(key: "/caf\u{e9}", count: 2), TopEntry(key: #"/a\x07b"#, count: 1)])
    }

    /// The `latency_p95` window slid second by second equals the window merged from scratch.
    @Test func slidingLatencyWindowEqualsMergingEverySecond() {
        var e = engine { $0.rules = AlertRule.defaults.filter { $0.kind == .latencyP95 } }
        e.feed(0..<200, perSecond: 20) { t, i in
            accessLine("10.0.0.\(i)", at: t, seconds: Double((Int(t) * 7 + i * 13) % 1_500) / 1_000 + (t % 50 < 10 ? 2 : 0))
        }
        let rule = e.rules[0]
        var sliding = e
        for s in (baseTime + 40)...(baseTime + 180) {
            let window = sliding.latencyWindow(rule.window, endingAt: s)
            #expect(e.measure(rule, at: s, latency: window) == e.measure(rule, at: s), "second \(s - baseTime)")
        }
        // A jump (not the next second) merges from scratch again.
        let jumped = sliding.latencyWindow(rule.window, endingAt: baseTime + 100)
        #expect(e.measure(rule, at: baseTime + 100, latency: jumped) == e.measure(rule, at: baseTime + 100))
        #expect(e.takeAlerts().contains { $0.rule == .latencyP95 })
    }
}

private extension String {
    /// Two digits.
    init(format2 v: Int) { self = v < 10 ? "0\(v)" : "\(v)" }
}
