import LogtopCore
@testable import LogtopTUI
import Testing

/// The dashboard's filter (`/`): typed in the footer, applied with Enter (a command to the analyzer),
/// shown in the title bar with the time it counts from, cleared by Esc or an empty filter; a bad one
/// says where it is wrong and sends nothing.
@Suite struct FilterKeysTests {
    static func type(_ text: String, into state: DashboardState, feed: DashboardFeed) -> (DashboardState, [Command]) {
        var s = state
        var all: [Command] = []
        for c in text {
            let (next, commands) = KeyMap.handle(.char(c), state: s, feed: feed)
            s = next
            all += commands
        }
        return (s, all)
    }

    @Test func typingThenEnterAppliesTheFilter() {
        let feed = liveFeed(Fixtures.normal)
        var (s, c) = KeyMap.handle(.char("/"), state: DashboardState(), feed: feed)
        #expect(s.filterInput == "" && c.isEmpty)
        // Keys that are commands elsewhere (p, q, s, t) are text while typing.
        (s, c) = Self.type("status:5xx !path:/static/*", into: s, feed: feed)
        #expect(c.isEmpty)
        #expect(s.filterInput == "status:5xx !path:/static/*")
        #expect(!s.quitRequested)
        (s, c) = KeyMap.handle(.backspace, state: s, feed: feed)
        (s, c) = KeyMap.handle(.char("*"), state: s, feed: feed)
        (s, c) = KeyMap.handle(.enter, state: s, feed: feed)
        #expect(c == [.setFilter("status:5xx !path:/static/*")])
        #expect(s.filterInput == nil)
        #expect(s.filter == "status:5xx !path:/static/*")
        #expect(s.filterSince == feed.snapshot.eventTime)
        let header = render(feed, s, 80, 24).line(0)
        #expect(header.contains("FILTER status:5xx"), "\(header)")
        // Esc clears it.
        (s, c) = KeyMap.handle(.escape, state: s, feed: feed)
        #expect(c == [.setFilter(nil)])
        #expect(s.filter == nil)
        #expect(!render(feed, s, 80, 24).line(0).contains("FILTER"))
    }

    @Test func aBadExpressionSaysWhereAndSendsNothing() {
        let feed = liveFeed(Fixtures.normal)
        var (s, _) = KeyMap.handle(.char("/"), state: DashboardState(), feed: feed)
        (s, _) = Self.type("status:5xx stat:4", into: s, feed: feed)
        var c: [Command]
        (s, c) = KeyMap.handle(.enter, state: s, feed: feed)
        #expect(c.isEmpty)
        #expect(s.filterInput == "status:5xx stat:4", "the prompt stays open to fix it")
        #expect(s.filterError?.offset == 11)
        #expect(s.filter == nil)
        let footer = render(feed, s, 80, 24).line(23)
        #expect(footer.contains("/ status:5xx stat:4_"), "\(footer)")
        #expect(footer.contains("at column 12: unknown field 'stat'"), "\(footer)")
        // Esc gives up: nothing in force.
        (s, c) = KeyMap.handle(.escape, state: s, feed: feed)
        #expect(c.isEmpty && s.filterInput == nil && s.filter == nil)
    }

    /// An IPv6 block typed at `/` is applied; a bad one says at which column, as `--filter` does.
    @Test func anIPv6BlockIsAppliedAndABadOneSaysWhere() {
        let feed = liveFeed(Fixtures.normal)
        var (s, c) = KeyMap.handle(.char("/"), state: DashboardState(), feed: feed)
        (s, _) = Self.type("client:2001:db8::/32", into: s, feed: feed)
        (s, c) = KeyMap.handle(.enter, state: s, feed: feed)
        #expect(c == [.setFilter("client:2001:db8::/32")])
        #expect(s.filter == "client:2001:db8::/32")
        (s, _) = KeyMap.handle(.char("/"), state: DashboardState(), feed: feed)
        (s, _) = Self.type("client:2001:::1/64", into: s, feed: feed)
        (s, c) = KeyMap.handle(.enter, state: s, feed: feed)
        #expect(c.isEmpty)
        #expect(s.filterError?.offset == 13)
        let footer = render(feed, s, 100, 24).line(23)
        #expect(footer.contains("at column 14: ':::' in an IPv6 address"), "\(footer)")
    }

    @Test func nAndEnterDrillIntoATopListRowAndEscReturns() {
        let feed = liveFeed(Fixtures.normal)
        let rows = feed.snapshot.window.topPaths
        #expect(rows.count >= 2)
        var s = DashboardState()
        var c: [Command]
        (s, c) = KeyMap.handle(.char("n"), state: s, feed: feed)
        (s, c) = KeyMap.handle(.char("n"), state: s, feed: feed)
        #expect(s.selectedRow == 1)
        (s, c) = KeyMap.handle(.char("N"), state: s, feed: feed)
        #expect(s.selectedRow == 0)
        // The selected row's key is highlighted in the top-list pane (under its "path" heading).
        let selected = render(feed, s, 80, 24)
        let heading = (0..<24).first { selected.line($0).hasPrefix("│path ") }!
        #expect(selected[1, heading + 1].style == .selected)
        #expect(selected[1, heading + 2].style != .selected)
        (s, c) = KeyMap.handle(.enter, state: s, feed: feed)
        #expect(c == [.setFilter("path=\"\(rows[0].key)\"")])
        #expect(s.drill == "path \(rows[0].key)")
        #expect(render(feed, s, 80, 24).line(0).contains("DRILL path \(rows[0].key)"))
        (s, c) = KeyMap.handle(.escape, state: s, feed: feed)
        #expect(c == [.setFilter(nil)] && s.drill == nil && s.filter == nil)
        // Clients drill on the client's address; user agents quote theirs.
        s.topList = .userAgents
        (s, c) = KeyMap.handle(.char("n"), state: s, feed: feed)
        (s, c) = KeyMap.handle(.enter, state: s, feed: feed)
        let ua = feed.snapshot.window.topUserAgents[0].key
        #expect(c == [.setFilter("ua=\"\(ua)\"")])
    }

    /// A drill-down counts its row's key alone: not the row of the same user agent in another case, nor
    /// the referrers a `?` of its query would match as a glob.
    @Test func aDrillDownMatchesItsKeyExactly() throws {
        var engine = AnalysisEngine()
        let agents = ["Googlebot/2.1", "Googlebot/2.1", "GoogleBot/2.1"]
        let referrers = ["https://x.com/s?q=a", "https://x.com/s?q=a", "https://x.com/sXq=a"]
        for (ua, ref) in zip(agents, referrers) {
            engine.ingest(line: #"10.0.0.1 - - [01/Nov/2026:02:00:00 +0000] "GET / HTTP/1.1" 200 10 "\#(ref)" "\#(ua)""#)
        }
        let feed = liveFeed(engine.snapshot())
        for (mode, key, other) in [(TopListMode.userAgents, "Googlebot/2.1", "GoogleBot/2.1"),
                                   (.referrers, "https://x.com/s?q=a", "https://x.com/sXq=a")] {
            var s = DashboardState()
            s.topList = mode
            var c: [Command]
            (s, c) = KeyMap.handle(.char("n"), state: s, feed: feed)
            (s, c) = KeyMap.handle(.enter, state: s, feed: feed)
            guard case .setFilter(let text?) = c.first else { Issue.record("no filter for \(mode)"); continue }
            #expect(s.drill == "\(mode.column) \(key)")
            let filter = try LineFilter(text)
            func record(_ value: String) -> LogRecord {
                LogRecord(client: "10.0.0.1", time: 0, method: "GET", path: "/", status: 200,
                          referrer: mode == .referrers ? value : nil, userAgent: mode == .userAgents ? value : nil)
            }
            #expect(filter.matches(record(key)), "\(text)")
            #expect(!filter.matches(record(other)), "\(text) also counts \(other)")
        }
    }

    @Test func anEmptyFilterClearsTheOneInForce() {
        let feed = liveFeed(Fixtures.normal)
        var s = DashboardState()
        s.filter = "status:404"
        var c: [Command]
        (s, c) = KeyMap.handle(.char("/"), state: s, feed: feed)
        #expect(s.filterInput == "status:404", "/ edits the filter in force")
        for _ in 0..<10 { (s, c) = KeyMap.handle(.backspace, state: s, feed: feed) }
        (s, c) = KeyMap.handle(.enter, state: s, feed: feed)
        #expect(c == [.setFilter(nil)])
        #expect(s.filter == nil && s.flash == "filter cleared")
    }
}
