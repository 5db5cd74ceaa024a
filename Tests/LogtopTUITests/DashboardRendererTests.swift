import LogtopCore
import Testing
@testable import LogtopTUI

@Suite("Dashboard rendering")
struct DashboardRendererTests {
    static let titles = ["Request rate", "Status codes", "Top URLs", "Latency", "Alerts", "Kafka & pipeline"]

    /// Failed deliveries (with their reason) and lost records are on the Kafka pane, at 80x24.
    @Test func failedAndLostRecordsAreShown() throws {
        var feed = liveFeed(Fixtures.normal)
        feed.failed = 17
        feed.failuresByReason = ["_MSG_TIMED_OUT": 17]
        feed.lostLines = 1_234
        let b = render(feed, DashboardState(), 80, 24)
        let l = try #require(DashboardLayout.compute(width: 80, height: 24))
        let kafka = b.text(in: l.pipeline)
        #expect(kafka.contains("failed 17"), "\(kafka)")
        #expect(kafka.contains("lost 1234") || kafka.contains("lost 1.2k") || kafka.contains("lost 1,234"), "\(kafka)")
    }

    @Test func everyPaneAt80x24() throws {
        let feed = liveFeed(Fixtures.normal)
        let b = render(feed, DashboardState(), 80, 24)
        for t in Self.titles { #expect(b.contains(t), "missing pane \(t)") }
        let l = try #require(DashboardLayout.compute(width: 80, height: 24))
        // Request rate: current, average, peak, bytes/s, lines.
        let rate = b.text(in: l.rate)
        #expect(rate.contains("now 60/s"))
        #expect(rate.contains("avg 60/s"))
        #expect(rate.contains("peak 60/s"))
        #expect(rate.contains("/s"))
        #expect(rate.contains("lines \(feed.snapshot.linesSeen)"))
        #expect(rate.contains("█"))
        // Status codes: classes, codes with bars, error rate.
        let status = b.text(in: l.status)
        #expect(status.contains("2xx") && status.contains("5xx"))
        #expect(status.contains("200 █"))
        #expect(status.contains("error rate"))
        // Top URLs: path, hits, share, 4xx, 5xx.
        let top = b.text(in: l.topList)
        #expect(top.contains("path") && top.contains("hits") && top.contains("share") && top.contains("4xx"))
        #expect(top.contains(feed.snapshot.window.topPaths[0].key))
        // Latency percentiles.
        let latency = b.text(in: l.latency)
        #expect(latency.contains("p50") && latency.contains("p95") && latency.contains("p99") && latency.contains("ms"))
        // Kafka & pipeline.
        let kafka = b.text(in: l.pipeline)
        for s in ["embedded 127.0.0.1:40521", "produced 4200", "delivered 4195", "failed 0", "in flight 5",
                  "lag 12", "lost 0", "malformed 0", "late 0", "generator 200/s", "running"] {
            #expect(kafka.contains(s), "Kafka pane lacks \(s)")
        }
        // Header and footer.
        #expect(b.line(0).contains("logtop"))
        #expect(b.line(0).contains("UTC"))
        #expect(b.line(23).contains("Pause") && b.line(23).contains("Help") && b.line(23).contains("Quit"))
        #expect(b.isTerminalSafe)
    }

    /// A merged view names its analyzers with their lag and partitions, flags the silent one and any
    /// record the merge missed or counted twice; member ids come from the network and are shown safely.
    @Test func mergedViewListsItsAnalyzers() throws {
        var feed = liveFeed(Fixtures.normal)
        feed.generator.enabled = false
        feed.merged = DashboardFeed.MergedInfo(analyzers: [
            .init(name: "web-1", lag: 12, partitions: [0, 1, 2]),
            .init(name: "web-2\u{1b}[2J", lag: 0, partitions: [3, 4]),
            .init(name: "web-3", lag: 0, active: false, silentSeconds: 40),
        ], uncovered: 7)
        let b = render(feed, DashboardState(), 120, 40)
        let l = try #require(DashboardLayout.compute(width: 120, height: 40))
        let kafka = b.text(in: l.pipeline)
        for s in ["merged view 2 analyzers", "web-1 lag 12 p0,1,2", "lag 0 p3,4", "web-3 silent 40s", "uncovered 7", "alerts out"] {
            #expect(kafka.contains(s), "pipeline pane lacks \(s):\n\(kafka)")
        }
        #expect(!kafka.contains("generator off") && !kafka.contains("produced"))
        #expect(b.isTerminalSafe)
        #expect(b.style(of: "silent 40s") == .warn)
        #expect(b.style(of: "7") != nil)

        feed.merged = DashboardFeed.MergedInfo(analyzers: [])
        #expect(render(feed, DashboardState(), 120, 40).text(in: l.pipeline).contains("0 analyzers (start logtop analyze)"))
    }

    @Test func largerTerminalShowsMore() throws {
        let feed = liveFeed(Fixtures.normal)
        let small = render(feed, DashboardState(), 80, 24)
        let large = render(feed, DashboardState(), 120, 40)
        let ls = try #require(DashboardLayout.compute(width: 80, height: 24))
        let ll = try #require(DashboardLayout.compute(width: 120, height: 40))
        for t in Self.titles + ["Alert rules"] { #expect(large.contains(t), "missing pane \(t)") }
        // All ten top entries, every status code in the window, all rules listed.
        let topRows = feed.snapshot.window.topPaths.filter { large.text(in: ll.topList).contains($0.key) }
        #expect(topRows.count == feed.snapshot.window.topPaths.count)
        #expect(feed.snapshot.window.topPaths.filter { small.text(in: ls.topList).contains($0.key) }.count < topRows.count)
        let rules = large.text(in: try #require(ll.rules))
        for r in AlertRule.defaults { #expect(rules.contains(r.kind.rawValue)) }
        // The graph shows the whole 60 s window.
        #expect(large.text(in: ll.rate).contains("last 59 s"))
        #expect(large.line(39).contains("Sort") && large.line(39).contains("Clear"))
    }

    @Test(arguments: [(60, 20), (79, 24), (80, 23), (20, 5)])
    func tooSmallTerminalSaysSo(width: Int, height: Int) {
        let b = render(liveFeed(Fixtures.normal), DashboardState(), width, height)
        #expect(b.contains("Terminal too small") || width < 20)
        #expect(!b.contains("Request rate"))
        #expect(b.isTerminalSafe)
        if width >= 60 { #expect(b.contains("\(width) x \(height)")) }
    }

    @Test func tinyAndEmptyScreensDoNotCrash() {
        for (w, h) in [(0, 0), (1, 1), (3, 2), (80, 1), (1, 24)] {
            let b = render(liveFeed(Fixtures.normal), DashboardState(), w, h)
            #expect(b.width == w && b.height == h)
        }
    }

    @Test func emptySnapshotBeforeTheFirstRecord() {
        let b = render(liveFeed(.empty), DashboardState(), 80, 24)
        #expect(b.contains("waiting for traffic"))
        #expect(b.contains("no requests in the window"))
        #expect(b.contains("no alert events yet"))
    }

    @Test func perSourceCountsAreShownInThePipelinePane() throws {
        var feed = liveFeed(Fixtures.normal)
        feed.generator.enabled = false
        feed.sources = [
            .init(name: "file:/var/log/nginx/access.log", lines: 1234, state: "following"),
            .init(name: "tcp://127.0.0.1:9000", lines: 56, state: "waiting for analyzer", waiting: true),
        ]
        let b = render(feed, DashboardState(), 120, 40)
        let l = try #require(DashboardLayout.compute(width: 120, height: 40))
        let pane = b.text(in: l.pipeline)
        #expect(pane.contains("access.log 1234 following"))
        #expect(pane.contains("tcp://127.0.0.1:9000 56 waiting for analyzer"))
        #expect(b.style(of: "waiting for analyzer") == .warn)
    }

    @Test func pausedScenarioFrozenAndBrokerDownBadges() {
        var feed = liveFeed(Fixtures.normal, paused: true, scenario: .flood)
        feed.connected = false
        feed.backPressured = true
        var state = DashboardState()
        state.frozenSnapshot = feed.snapshot
        let b = render(feed, state, 120, 30)
        let header = b.line(0)
        #expect(header.contains("PAUSED"))
        #expect(header.contains("SCENARIO flood 42s"))
        #expect(header.contains("FROZEN"))
        #expect(header.contains("BROKER DOWN"))
        #expect(b.style(of: "PAUSED") == .alertBadge)
        #expect(b.contains("PAUSED"))
        #expect(b.contains("DOWN"))
        #expect(b.contains("waiting: analyzer behind"))
    }

    @Test func firingAlertIsPinnedAndLoggedWithValueThresholdAndOffender() throws {
        let snap = Fixtures.flood
        let firing = try #require(snap.active.first { $0.rule == .clientFlood })
        let event = try #require(snap.recentAlerts.first { $0.rule == .clientFlood && $0.state == .firing })
        let offender = try #require(firing.offender)
        let b = render(liveFeed(snap, scenario: .flood), DashboardState(), 120, 40)
        let l = try #require(DashboardLayout.compute(width: 120, height: 40))
        let alerts = b.text(in: l.alerts)
        #expect(alerts.contains("1 firing"))
        #expect(alerts.contains("▲ client_flood  \(offender)"))
        #expect(alerts.contains("FIRING   client_flood"))
        #expect(alerts.contains("\(Format.number(event.value, decimals: 1)) % ≥ 30"))
        #expect(alerts.contains(CivilTime.clock(event.time)))
        #expect(b.style(of: "▲ client_flood") == .warn)
        #expect(b.style(of: "FIRING") == .warn)
    }

    @Test func alertLogClearHidesOldEventsOnly() throws {
        var snap = Fixtures.flood
        let feed = liveFeed(snap)
        let (cleared, _) = KeyMap.handle(.char("c"), state: DashboardState(), feed: feed)
        var b = render(feed, cleared, 120, 40)
        let l = try #require(DashboardLayout.compute(width: 120, height: 40))
        #expect(b.text(in: l.alerts).contains("alert log cleared"))
        // The pinned firing alert stays.
        #expect(b.text(in: l.alerts).contains("▲ client_flood"))
        // A newer event shows up.
        let newer = AlertEvent(rule: .errorRate, state: .firing, value: 12.5, threshold: 5, unit: "%", window: 30,
                               time: (snap.eventTime ?? 0) + 5, firedAt: (snap.eventTime ?? 0) + 5)
        snap.recentAlerts.insert(newer, at: 0)
        b = render(liveFeed(snap), cleared, 120, 40)
        #expect(b.text(in: l.alerts).contains("error_rate"))
        #expect(b.style(of: "FIRING   error_rate") == .bad)
        #expect(!b.text(in: l.alerts).contains("FIRING   client_flood"))
    }

    @Test func topListModesAndSorts() throws {
        let feed = liveFeed(Fixtures.normal)
        let l = try #require(DashboardLayout.compute(width: 120, height: 40))
        var state = DashboardState()
        for mode in TopListMode.allCases {
            state.topList = mode
            let b = render(feed, state, 120, 40)
            let pane = b.text(in: l.topList)
            #expect(pane.contains(mode.title))
            #expect(pane.contains(mode.column))
            #expect(pane.contains("4xx") == mode.hasErrorShares)
        }
        state.topList = .urls
        state.sort = .serverErrors
        let b = render(feed, state, 120, 40)
        #expect(b.text(in: l.topList).contains("by 5xx share"))
        #expect(b.text(in: l.topList).contains("▼5xx"))
        let sorted = DashboardRenderer.topEntries(feed.snapshot.window, mode: .urls, sort: .serverErrors)
        let shares = sorted.map { Double($0.serverErrors) / Double(max(1, $0.count)) }
        #expect(shares == shares.sorted(by: >))
        // The first row under the header is the entry with the highest 5xx share.
        let firstRow = b.text(in: Rect(x: l.topList.x, y: l.topList.y + 2, width: l.topList.width, height: 1))
        #expect(firstRow.contains(String(sorted[0].key.prefix(20))))
    }

    @Test func latencyPaneWithoutRequestTimes() {
        let b = render(liveFeed(Fixtures.noLatency), DashboardState(), 80, 24)
        #expect(b.contains("no request times in these logs"))
    }

    @Test func controlCharactersFromLogsNeverReachTheScreen() {
        var snap = Fixtures.normal
        let evil = "/x\u{1b}]0;pwned\u{07}\u{1b}[2J\u{9b}31m\u{202e}gpj.exe\u{0}"
        snap.window.topPaths.insert(TopEntry(key: evil, count: 999_999, clientErrors: 1), at: 0)
        snap.window.topClients.insert(TopEntry(key: "10.0.0.1\u{1b}[A", count: 5), at: 0)
        snap.window.topUserAgents.insert(TopEntry(key: "curl\r\nX-Injected: 1", count: 5), at: 0)
        snap.recentAlerts.insert(AlertEvent(rule: .clientFlood, state: .firing, value: 99, threshold: 50, unit: "req/s",
                                            window: 10, time: fixtureStart, firedAt: fixtureStart,
                                            offender: "1.2.3.4\u{1b}[31m"), at: 0)
        var feed = liveFeed(snap)
        feed.lastKafkaError = "broker \u{1b}[5mdown\u{7f}"
        feed.broker = "host\u{1b}:9092"
        feed.notice = "source error: \u{1b}c"
        var state = DashboardState()
        for mode in TopListMode.allCases {
            state.topList = mode
            for (w, h) in [(80, 24), (120, 40), (200, 60)] {
                for glyphs in [Glyphs.unicode, .ascii] {
                    let b = render(feed, state, w, h, glyphs: glyphs)
                    #expect(b.isTerminalSafe, "\(mode) \(w)x\(h)")
                    #expect(!b.text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B || $0.value == 0x202E })
                }
            }
        }
        let b = render(feed, DashboardState(), 120, 40)
        #expect(b.contains("/x?]0;pwned??[2J?31m?gpj.exe?"))
    }

    @Test func asciiFallbackUnderLangC() throws {
        var state = DashboardState()
        let feed = liveFeed(Fixtures.flood, scenario: .flood)
        for (w, h) in [(80, 24), (120, 40)] {
            state.helpVisible = false
            var b = render(feed, state, w, h, glyphs: .ascii)
            #expect(b.isASCII)
            #expect(b.line(1).hasPrefix("+ Request rate -"))
            #expect(b.contains("#"))
            #expect(b.contains("! client_flood"))
            state.helpVisible = true
            b = render(feed, state, w, h, glyphs: .ascii)
            #expect(b.isASCII)
            #expect(b.contains("Up >"))
        }
    }

    @Test func helpOverlayListsEveryKey() {
        var state = DashboardState()
        state.helpVisible = true
        for (w, h) in [(80, 24), (120, 40)] {
            let b = render(liveFeed(Fixtures.normal), state, w, h)
            let text = b.text
            for entry in KeyMap.helpEntries(ascii: false) {
                #expect(text.contains(entry.keys + String(repeating: " ", count: max(1, 10 - entry.keys.count)) + entry.help),
                        "help at \(w)x\(h) lacks \(entry.keys)")
            }
            for s in TrafficScenario.allCases { #expect(text.contains(s.rawValue)) }
            #expect(text.contains("Esc"))
            #expect(text.contains("logtop \(Logtop.version): keys"))  // the version, in the box's title
        }
    }

    @Test func thresholdChangeIsShownAtOnceInTheAlertsPane() throws {
        let feed = liveFeed(Fixtures.normal)
        let (s1, _) = KeyMap.handle(.up, state: DashboardState(), feed: feed)
        let b = render(feed, s1, 80, 24)
        let l = try #require(DashboardLayout.compute(width: 80, height: 24))
        #expect(b.text(in: l.alerts).contains("error_rate ▸ ≥ 6 %"))
        #expect(b.style(of: "6 % over 30 s") == .accent)
        #expect(b.line(23).contains("error_rate threshold 5 -> 6 %"))
        // The status pane compares the error rate with the new threshold too.
        #expect(b.text(in: l.status).contains("alert ≥ 6 %"))
    }
}
