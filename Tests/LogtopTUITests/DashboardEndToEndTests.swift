import Foundation
import LogtopTestSupport
@testable import LogtopTUI
import Testing

/// The real binary in a real terminal: logtop runs in a detached tmux session (its own server socket),
/// keys go in with send-keys and the screen comes back with capture-pane. Every wait is a condition
/// polled against a deadline, never a fixed sleep.
///
/// The binary is `LOGTOP_BIN` if set, else the `logtop` next to the test bundle (same build directory),
/// else `.build/debug/logtop` under the package root.
@Suite("Dashboard end to end (tmux)", .serialized)
struct DashboardEndToEndTests {
    /// Generous: two cores shared with the rest of the test suite and an embedded Kafka cluster.
    static let deadline: Double = 60

    @Test(.timeLimit(.minutes(5)))
    func panesShowLiveNumbersHelpResizeAndQuit() throws {
        let t = try TmuxSession(width: 100, height: 30, logtopArguments: ["--rate", "300"])
        defer { t.close() }
        let first = try t.wait("the panes with a request count", timeout: Self.deadline) { screen in
            ["Request rate", "Status codes", "Top URLs", "Latency", "Alerts", "Kafka & pipeline"].allSatisfy(screen.contains)
                && (TmuxSession.linesSeen(screen) ?? 0) > 0
        }
        let n = TmuxSession.linesSeen(first) ?? 0
        try t.wait("the request count to rise", timeout: Self.deadline) { (TmuxSession.linesSeen($0) ?? 0) > n }
        try t.wait("status codes and top URLs", timeout: Self.deadline) { $0.contains("200 ") && $0.contains("/static/") }

        t.send("?")
        try t.wait("the help overlay", timeout: Self.deadline) { $0.contains("keys") && $0.contains("pause / resume generator") }
        t.send("Escape")
        try t.wait("help to close", timeout: Self.deadline) { !$0.contains("pause / resume generator") && $0.contains("Request rate") }

        t.send("t")
        try t.wait("the top clients list", timeout: Self.deadline) { $0.contains("Top clients") }

        t.resize(width: 60, height: 20)
        try t.wait("the too-small message", timeout: Self.deadline) { $0.contains("Terminal too small") && !$0.contains("Request rate") }
        t.resize(width: 100, height: 30)
        try t.wait("the panes again", timeout: Self.deadline) { $0.contains("Request rate") && !$0.contains("Terminal too small") }

        t.send("q")
        let end = try t.wait("the shell after q", timeout: Self.deadline) { $0.contains("EXITED-0") }
        #expect(!end.contains("Request rate"), "curses screen left behind:\n\(end)")
        #expect(end.contains("lines analysed"))
        #expect(!FileManager.default.fileExists(atPath: t.directory + "/results.txt"), "dashboard mode wrote results.txt")
        #expect(TmuxSession.cooked(try t.terminalModes()), "terminal left in curses modes")
    }

    @Test(.timeLimit(.minutes(5)))
    func pauseStopsTheCountAndFloodKeyRaisesItsAlert() throws {
        let t = try TmuxSession(width: 100, height: 30, logtopArguments: ["--rate", "200"])
        defer { t.close() }
        try t.wait("requests", timeout: Self.deadline) { (TmuxSession.linesSeen($0) ?? 0) > 0 }

        t.send("p")
        try t.wait("PAUSED", timeout: Self.deadline) { $0.contains("PAUSED") }
        // Lines already in Kafka still arrive: wait until the count holds for 3 s, then check it stays.
        var last = -1
        var since = Date()
        let settled = try t.wait("the count to stop rising", timeout: Self.deadline, interval: 0.25) { screen in
            guard let n = TmuxSession.linesSeen(screen) else { return false }
            if n != last { last = n; since = Date() }
            return Date().timeIntervalSince(since) >= 3
        }
        let paused = TmuxSession.linesSeen(settled) ?? -1
        let later = try t.wait("a screen 2 s later", timeout: 10, interval: 2) { _ in true }
        #expect(TmuxSession.linesSeen(later) == paused)

        t.send("p")
        try t.wait("resume", timeout: Self.deadline) { !$0.contains("PAUSED") && (TmuxSession.linesSeen($0) ?? 0) > paused }

        t.send("3")
        try t.wait("the flood scenario badge", timeout: Self.deadline) { $0.contains("SCENARIO flood") }
        let alert = try t.wait("the client_flood alert", timeout: 90) { screen in
            screen.contains("client_flood") && screen.contains("1 firing")
        }
        #expect(alert.contains("▲ client_flood"))

        // SIGTERM: the terminal is restored and the process ends cleanly.
        let pid = try #require(t.logtopPID())
        kill(pid, SIGTERM)
        let end = try t.wait("the shell after SIGTERM", timeout: Self.deadline) { $0.contains("EXITED-") }
        #expect(end.contains("EXITED-0"))
        #expect(!end.contains("Request rate"), "curses screen left behind:\n\(end)")
        #expect(TmuxSession.cooked(try t.terminalModes()))
    }

    /// The keys that reach the running system, pressed in the real binary: a firing rule resolves once
    /// its threshold is raised above its value, a disabled rule stays quiet when lowered again and fires
    /// once enabled, `+`/`-` change the generator's rate by the factor shown; `--window` sets the
    /// window shown. SIGHUP then restores the terminal.
    @Test(.timeLimit(.minutes(5)))
    func thresholdRuleAndRateKeysReachTheAnalyzerAndTheGenerator() throws {
        let t = try TmuxSession(width: 130, height: 45, logtopArguments: ["--rate", "300", "--scenario", "errors", "--window", "20s"])
        defer {
            if let pid = t.logtopPID() { kill(pid, SIGKILL) }
            t.close()
        }
        func firings(_ screen: String) -> Int {
            screen.split(separator: "\n").filter { $0.contains("FIRING") && $0.contains("error_rate") }.count
        }
        let firing = try t.wait("error_rate firing", timeout: 90) { $0.contains("1 firing") && firings($0) == 1 }
        #expect(firing.contains("window 20 s"), "--window reaches the title bar")
        #expect(firing.contains("Status codes") && firing.contains("─ 20 s ─"), "and the status pane's window")
        // Tab walks the seven rules round to error_rate again.
        for _ in 0..<7 { t.send("Tab") }
        try t.wait("error_rate selected", timeout: Self.deadline) { $0.contains("rule ◂ error_rate ▸") }
        // 39 % of 5xx: raise the threshold from 5 % to 60 % (resolves below 60 × 0.8 = 48 %).
        t.send(contentsOf: Array(repeating: "Up", count: 55))
        try t.wait("the new threshold in the rules pane", timeout: Self.deadline) { $0.contains("error_rate      ≥ 60 %") }
        try t.wait("error_rate resolved", timeout: 60) { screen in
            screen.split(separator: "\n").contains { $0.contains("resolved") && $0.contains("error_rate") } && screen.contains("none firing")
        }
        // Disabled, then back to 5 %: it stays quiet.
        t.send("e")
        try t.wait("the rule off", timeout: Self.deadline) { $0.contains(" off") }
        t.send(contentsOf: Array(repeating: "Down", count: 55))
        let lowered = try t.wait("the threshold back at 5 %", timeout: Self.deadline) { $0.contains("error_rate      ≥ 5 %") }
        #expect(firings(lowered) == 1)
        #expect(!(try t.waitIf(timeout: 12) { firings($0) > 1 }), "a disabled rule fired")
        // Enabled again: it fires again.
        t.send("e")
        try t.wait("error_rate firing again", timeout: 90) { firings($0) == 2 }

        // Rate keys: 300 → 375 (+), then 375 → 300 → 240 (-, -): shown and applied by the generator.
        t.send("+")
        try t.wait("generator at 375/s", timeout: Self.deadline) { $0.contains("generator 375/s") }
        t.send("-")
        t.send("-")
        try t.wait("generator at 240/s", timeout: Self.deadline) { $0.contains("generator 240/s") && $0.contains("generation rate 240 lines/s") }

        let pid = try #require(t.logtopPID())
        kill(pid, SIGHUP)
        let end = try t.wait("the shell after SIGHUP", timeout: Self.deadline) { $0.contains("EXITED-") }
        #expect(end.contains("EXITED-0"))
        #expect(!end.contains("Request rate"), "curses screen left behind:\n\(end)")
        #expect(TmuxSession.cooked(try t.terminalModes()))
    }

    /// A fatal Kafka error while the dashboard runs (a development broker that answers the idempotent
    /// producer with a sequence error): logtop leaves curses, restores the terminal, then says why and
    /// exits non-zero.
    @Test(.timeLimit(.minutes(5)))
    func aFatalKafkaErrorRestoresTheTerminalThenExplains() throws {
        let broker = try DevelopmentBroker(["--inject-errors", "produce=OUT_OF_ORDER_SEQUENCE_NUMBER"])
        let t = try TmuxSession(width: 100, height: 30, logtopArguments: broker.clientArguments + ["--rate", "100"])
        defer {
            if let pid = t.logtopPID() { kill(pid, SIGKILL) }
            t.close()
        }
        let end = try t.wait("the shell after the fatal error", timeout: Self.deadline) { $0.contains("EXITED-") }
        #expect(end.contains("EXITED-1"), "\(end)")
        #expect(end.contains("logtop: error: Kafka: fatal OUT_OF_ORDER_SEQUENCE_NUMBER"), "the reason, after the screen is restored:\n\(end)")
        #expect(!end.contains("Request rate"), "curses screen left behind:\n\(end)")
        #expect(TmuxSession.cooked(try t.terminalModes()))
    }

    /// The dashboard serves /metrics too (`--metrics-listen`): scraped while it runs, the request
    /// counter grows with the lines the screen shows, and the exposition parses (Prometheus' own parser).
    @Test(.timeLimit(.minutes(5)))
    func theDashboardServesMetrics() throws {
        let port = freePort()
        let t = try TmuxSession(width: 100, height: 30, logtopArguments: ["--rate", "200", "--metrics-listen", "127.0.0.1:\(port)"])
        defer { t.close() }
        let screen = try t.wait("the panes with a request count", timeout: Self.deadline) { (TmuxSession.linesSeen($0) ?? 0) > 200 }
        let shown = TmuxSession.linesSeen(screen) ?? 0
        let python = try requireTool("python3", package: "python3")
        let script = """
        import sys, urllib.request
        from prometheus_client.parser import text_string_to_metric_families
        body = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=10).read().decode()
        total = sum(s.value for f in text_string_to_metric_families(body) for s in f.samples if s.name == "logtop_http_requests_total")
        print(int(total))
        """
        var total = 0
        #expect(waitUntil(30) {
            let (status, out) = runTool([python, "-c", script, String(port)], stderr: false, timeout: 20)
            total = status == 0 ? Int(out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 : 0
            return total >= shown
        }, "scraped \(total) requests, the screen showed \(shown)")
        t.send("q")
        _ = try t.wait("the shell after q", timeout: Self.deadline) { $0.contains("EXITED-0") }
    }

    @Test(.timeLimit(.minutes(5)))
    func ctrlCRestoresTheTerminalAndASCIIUnderLangC() throws {
        let t = try TmuxSession(width: 90, height: 26, logtopArguments: ["--rate", "100"], lang: "C")
        defer { t.close() }
        let screen = try t.wait("the ASCII dashboard", timeout: Self.deadline) { screen in
            screen.contains("+ Request rate -") && (TmuxSession.linesSeen(screen) ?? 0) > 0
        }
        #expect(!screen.contains("─") && !screen.contains("█"))
        t.send("C-c")
        let end = try t.wait("the shell after Ctrl-C", timeout: Self.deadline) { $0.contains("EXITED-") }
        #expect(end.contains("EXITED-0"))
        #expect(!end.contains("Request rate"))
        #expect(TmuxSession.cooked(try t.terminalModes()))
    }

    @Test(.timeLimit(.minutes(5)))
    func aCrashStillRestoresTheTerminal() throws {
        let t = try TmuxSession(width: 90, height: 26, logtopArguments: ["--rate", "50", "--source", "none"])
        defer { t.close() }
        try t.wait("the dashboard", timeout: Self.deadline) { $0.contains("Request rate") }
        let pid = try #require(t.logtopPID())
        kill(pid, SIGSEGV)
        let end = try t.wait("the shell after the crash", timeout: Self.deadline) { $0.contains("EXITED-") }
        #expect(!end.contains("EXITED-0"))
        #expect(!end.contains("Request rate"), "curses screen left behind:\n\(end)")
        #expect(TmuxSession.cooked(try t.terminalModes()))
    }

    /// Sixty resizes while the generator runs, from 1×1 through the too-small sizes to 250×80, mostly
    /// back to back (SIGWINCHs arrive mid-frame and coalesce), with a checkpoint every five resizes
    /// that waits until the screen is right for that very size. Then, back at 100×30, the dashboard and
    /// nothing else. A stale-line bug (cells curses believes blank that still hold an earlier frame)
    /// shows as dashboard text around the too-small message, a stats line with the tail of a longer
    /// earlier one ("peak 333/ss 1.3 MiB/s/s"), "waiting for traffic…" left in the graph, the message
    /// inside a pane, or dashboard text through the help overlay's blank cells: each is checked.
    @Test(.timeLimit(.minutes(5)))
    func resizeStormWhileDataFlowsLeavesACleanDashboard() throws {
        let t = try TmuxSession(width: 100, height: 30, logtopArguments: ["--rate", "300"])
        // The live child of this session's shell (never a stale pid): killed even when a check throws.
        defer {
            if let pid = t.logtopPID() { kill(pid, SIGKILL) }
            t.close()
        }
        let first = try t.wait("the panes with a request count", timeout: Self.deadline) { screen in
            screen.contains("Request rate") && screen.contains("Kafka & pipeline") && (TmuxSession.linesSeen(screen) ?? 0) > 0
        }
        let before = TmuxSession.linesSeen(first) ?? 0
        let pid = try #require(t.logtopPID())
        let alive = { t.logtopPID() == pid }

        // Twelve bursts of five: four resizes back to back, then one that is waited for until the screen
        // is right for it, so that the tiny, the boundary and the huge sizes are all really drawn.
        let bursts: [[(Int, Int)]] = [
            [(150, 50), (10, 3), (79, 24), (200, 60), (1, 1)],
            [(80, 24), (30, 8), (250, 80), (5, 2), (20, 5)],
            [(120, 40), (60, 20), (100, 30), (15, 4), (250, 80)],
            [(200, 20), (20, 70), (40, 10), (90, 25), (2, 2)],
            [(81, 26), (24, 6), (160, 45), (3, 1), (79, 23)],
            [(100, 30), (70, 24), (80, 10), (12, 80), (80, 24)],
            [(20, 5), (250, 80), (1, 1), (33, 9), (3, 1)],
            [(8, 2), (95, 28), (20, 5), (200, 60), (110, 32)],
            [(45, 12), (80, 24), (6, 3), (130, 42), (80, 23)],
            [(79, 24), (100, 30), (18, 5), (25, 7), (220, 70)],
            [(4, 4), (100, 24), (80, 60), (16, 4), (5, 2)],
            [(180, 55), (50, 15), (90, 90), (85, 24), (60, 20)],
        ]
        for (b, burst) in bursts.enumerated() {
            for (w, h) in burst { t.resize(width: w, height: h) }
            let (w, h) = burst[burst.count - 1]
            let screen: String
            // A wait also ends when logtop has died, to fail at once with the screen.
            if let layout = DashboardLayout.compute(width: w, height: h) {
                screen = try t.wait("a clean \(w)x\(h) dashboard (burst \(b + 1))", timeout: Self.deadline) { screen in
                    !alive() || Self.garbage(screen, width: w, height: h, layout: layout).isEmpty
                }
            } else {
                // The too-small screen is the message and nothing else, exactly as the renderer draws it.
                let expected = DashboardRenderer.render(feed: DashboardFeed(), state: DashboardState(), width: w, height: h)
                screen = try t.wait("exactly the too-small message at \(w)x\(h) (burst \(b + 1))", timeout: Self.deadline) { screen in
                    !alive() || (Self.garbage(screen, width: w, height: h).isEmpty && Self.differences(screen, expected).isEmpty)
                }
            }
            try #require(alive(), "logtop died in burst \(b + 1), at \(w)x\(h):\n\(screen)")
        }

        // Settle at a normal size: the full dashboard comes back, and only it.
        t.resize(width: 100, height: 30)
        let layout = try #require(DashboardLayout.compute(width: 100, height: 30))
        let settled = try t.wait("a clean 100x30 dashboard after the storm", timeout: Self.deadline) { screen in
            !alive() || Self.garbage(screen, width: 100, height: 30, layout: layout).isEmpty
        }
        try #require(alive(), "logtop is gone after the storm:\n\(settled)")
        for title in ["Request rate", "Status codes", "Top URLs", "Latency", "Alerts", "Kafka & pipeline"] {
            #expect(settled.contains(title), "\(title) missing after the storm:\n\(settled)")
        }
        // Data flowed through the storm and still does, and the screen stays clean while it changes. A
        // capture can catch tmux between two reads of one frame, so a problem counts when two captures
        // in a row have one (a stale cell outlives a frame).
        let during = TmuxSession.linesSeen(settled) ?? 0
        #expect(during > before, "no lines analysed during the storm (\(before) → \(during))")
        var counts: Set<Int> = [during]
        var previous: [String] = []
        var persistent: [(String, [String])] = []
        let later = try t.wait("the request count to rise three times after the storm", timeout: Self.deadline) { screen in
            let problems = Self.garbage(screen, width: 100, height: 30, layout: layout)
            if !problems.isEmpty, !previous.isEmpty { persistent.append((screen, problems)) }
            previous = problems
            if let n = TmuxSession.linesSeen(screen), n > during { counts.insert(n) }
            return counts.count > 3
        }
        #expect(persistent.isEmpty, "garbage after the storm: \(persistent.first?.1.prefix(5) ?? [])\n\(persistent.first?.0 ?? later)")

        // The help overlay blanks every cell of its rows: they must read exactly as the renderer draws
        // them, with nothing of the dashboard (or of an earlier size) showing through.
        var help = DashboardState()
        help.helpVisible = true
        let overlay = DashboardRenderer.render(feed: DashboardFeed(), state: help, width: 100, height: 30)
        let top = try #require(overlay.row(containing: ": keys"))
        let bottom = try #require(overlay.row(containing: "Press ? or Esc to close")) + 1
        t.send("?")
        try t.wait("exactly the help overlay", timeout: Self.deadline) { Self.differences($0, overlay, rows: top...bottom).isEmpty }
        t.send("Escape")
        try t.wait("a clean dashboard after help", timeout: Self.deadline) { screen in
            !screen.contains("Press ? or Esc") && Self.garbage(screen, width: 100, height: 30, layout: layout).isEmpty
        }

        t.send("q")
        let end = try t.wait("the shell after q", timeout: Self.deadline) { $0.contains("EXITED-") }
        #expect(end.contains("EXITED-0"), "logtop did not end cleanly:\n\(end)")
        #expect(!end.contains("Request rate"), "curses screen left behind:\n\(end)")
        #expect(end.contains("lines analysed"))
        #expect(TmuxSession.cooked(try t.terminalModes()), "terminal left in curses modes")
    }

    /// The rows of a capture (capture-pane drops each row's trailing blanks and ends with a newline).
    static func rows(_ screen: String) -> [String] {
        var rows = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if rows.last == "" { rows.removeLast() }
        return rows
    }

    /// Rows (all, or `only`) of the capture that differ from `expected`'s, as "row N: got … want …".
    static func differences(_ screen: String, _ expected: ScreenBuffer, rows only: ClosedRange<Int>? = nil) -> [String] {
        let got = Self.rows(screen)
        return (only ?? 0...(expected.height - 1)).compactMap { y in
            var want = expected.line(y)
            while want.last == " " { want.removeLast() }
            let have = y < got.count ? got[y] : ""
            return have == want ? nil : "row \(y): got \(have.debugDescription), want \(want.debugDescription)"
        }
    }

    /// What is wrong with a captured `width`×`height` screen (after the first lines were counted), empty
    /// when nothing is: more rows than the window, a row wider than it, a control character (C0 but the
    /// newline, ESC, DEL, C1) or a replacement character; on a screen big enough for the dashboard, any
    /// word of the too-small message or the startup "waiting for traffic…". With `layout`, also every pane
    /// border (corners, edges) where the layout puts it, header and footer, and the rate pane's two stats
    /// lines whole (a stale tail of a longer earlier line breaks their pattern).
    static func garbage(_ screen: String, width: Int, height: Int, layout: DashboardLayout? = nil) -> [String] {
        var problems: [String] = []
        let rows = Self.rows(screen)
        if rows.count > height { problems.append("\(rows.count) rows on a \(height)-row window") }
        for (y, row) in rows.enumerated() {
            let w = DisplayText.width(row)
            if w > width { problems.append("row \(y) is \(w) columns wide on a \(width)-column window: \(row)") }
            if let bad = row.unicodeScalars.first(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{FFFD}" }) {
                problems.append("row \(y) holds U+\(String(bad.value, radix: 16, uppercase: true)): \(row.debugDescription)")
            }
        }
        if DashboardLayout.compute(width: width, height: height) != nil {
            for fragment in ["Terminal", "small", "needs at", "least", "Enlarge", "q to quit", "waiting for traffic"]
            where screen.contains(fragment) {
                problems.append("leftover text: \(fragment)")
            }
            if screen.range(of: #"\d+ x \d+: logtop"#, options: .regularExpression) != nil {
                problems.append("leftover of the too-small size line")
            }
        }
        guard let layout else { return problems }
        guard rows.count == height else { return problems + ["\(rows.count) rows, not \(height)"] }
        // One entry per column (a wide character's second column holds "").
        let grid: [[String]] = rows.map { row in
            row.flatMap { c in DisplayText.width(String(c)) == 2 ? [String(c), ""] : [String(c)] }
        }
        func at(_ x: Int, _ y: Int) -> String { x < grid[y].count ? grid[y][x] : " " }
        for pane in layout.panes {
            let (l, r, top, bottom) = (pane.x, pane.maxX - 1, pane.y, pane.maxY - 1)
            for (x, y, glyph) in [(l, top, "╭"), (r, top, "╮"), (l, bottom, "╰"), (r, bottom, "╯")] where at(x, y) != glyph {
                problems.append("\(at(x, y).debugDescription) at (\(x), \(y)) instead of the corner \(glyph)")
            }
            for y in (top + 1)..<bottom {
                for x in [l, r] where at(x, y) != "│" {
                    problems.append("\(at(x, y).debugDescription) at (\(x), \(y)) instead of the border │")
                }
            }
        }
        if !rows[0].hasPrefix(" logtop ") { problems.append("no header on the first row: \(rows[0])") }
        let footer = rows[height - 1]
        if !(footer.hasPrefix("p Pause") && footer.contains("? Help") && footer.contains("q Quit")) {
            problems.append("no footer on the last row: \(footer)")
        }
        // The rate pane (left column, from x = 0): "now … avg … peak … <bytes>/s" and "lines … in window … clients ~…".
        let n = "[0-9.]+[kMG]?"
        let stats = [
            "now": "^│now \(n)/s  avg \(n)/s  peak \(n)/s  [0-9.]+ (B|KiB|MiB|GiB)/s *│",
            "lines": "^│lines [0-9]+  in window \(n)  clients ~\(n) *│",
        ]
        for (word, pattern) in stats {
            let rateRows = (layout.rate.y..<layout.rate.maxY).map { rows[$0] }
            guard let row = rateRows.first(where: { $0.hasPrefix("│\(word) ") }) else {
                problems.append("no \"\(word)\" line in the rate pane")
                continue
            }
            if row.range(of: pattern, options: .regularExpression) == nil {
                problems.append("rate pane line not as drawn: \(row.debugDescription)")
            }
        }
        return problems
    }
}

/// One tmux server (private socket) with one window running logtop, then a shell line that reports
/// logtop's exit status.
final class TmuxSession {
    let socket = "logtop-test-\(UUID().uuidString.prefix(12))"
    let directory: String
    private var closed = false

    /// tmux, or a failure naming the package.
    static var tmuxPath: String { get throws { try requireTool("tmux", package: "tmux") } }

    /// The logtop binary under test.
    static func binary() throws -> String { try logtopBinary() }

    init(width: Int, height: Int, logtopArguments: [String], lang: String = "C.UTF-8") throws {
        let bin = try Self.binary()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(socket).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let args = logtopArguments.map(Self.quote).joined(separator: " ")
        // bash: after a Ctrl-C that the program handled, bash goes on to the echo.
        let script = "cd \(Self.quote(directory)) && env LANG=\(lang) LC_ALL=\(lang) TERM=xterm-256color "
            + "SWIFT_BACKTRACE=enable=no \(Self.quote(bin)) \(args); echo EXITED-$?; stty -a > modes.txt; exec sleep 600"
        // This first command starts the server, which keeps whatever it inherits open: no pipes here.
        try run(["new-session", "-d", "-x", String(width), "-y", String(height), "bash", "-c", script], capture: false)
    }

    deinit { close() }

    func close() {
        guard !closed else { return }
        closed = true
        _ = try? run(["kill-server"])
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    @discardableResult
    func run(_ args: [String], capture: Bool = true) throws -> String {
        let argv = [try Self.tmuxPath, "-L", socket, "-f", "/dev/null"] + args
        let (status, text) = try Self.spawn(argv, capture: capture)
        guard status == 0 else { throw TmuxError("tmux \(args.joined(separator: " ")): exit \(status): \(text)") }
        return text
    }

    /// Runs a program and waits for it, with this process's environment (see `cleanSpawn`: a clean
    /// signal mask, no inherited descriptors, which tmux's server and logtop need).
    static func spawn(_ argv: [String], capture: Bool) throws -> (Int32, String) {
        let (status, output) = cleanSpawn(argv, capture: capture, environment: ProcessInfo.processInfo.environment)
        if status == -1 { throw TmuxError(output) }
        return (status, output)
    }

    func capture() -> String { (try? run(["capture-pane", "-p", "-t", "0"])) ?? "" }

    /// Keys in tmux notation ("q", "Escape", "C-c").
    func send(_ keys: String...) { send(contentsOf: keys) }

    func send(contentsOf keys: [String]) { _ = try? run(["send-keys", "-t", "0"] + keys) }

    /// `text` typed as it is (`send-keys -l`: no word of it taken for a key name such as `Enter`).
    func type(_ text: String) { _ = try? run(["send-keys", "-t", "0", "-l", text]) }

    /// Whether `condition` holds on some screen within `timeout` seconds (for checks that something
    /// does NOT happen within a bounded time).
    func waitIf(timeout: Double, _ condition: (String) -> Bool) throws -> Bool {
        (try? wait("", timeout: timeout, condition)) != nil
    }

    func resize(width: Int, height: Int) {
        _ = try? run(["resize-window", "-t", "0", "-x", String(width), "-y", String(height)])
    }

    /// Polls the screen until `condition` holds; throws with the last screen at the deadline.
    @discardableResult
    func wait(_ what: String, timeout: Double, interval: Double = 0.2, _ condition: (String) -> Bool) throws -> String {
        let end = Date().addingTimeInterval(timeout)
        var screen = ""
        while Date() < end {
            screen = capture()
            if condition(screen) { return screen }
            Thread.sleep(forTimeInterval: interval)
        }
        throw TmuxError("timed out after \(Int(timeout)) s waiting for \(what); screen:\n\(screen)")
    }

    /// The pid of logtop: the child of the pane's shell.
    func logtopPID() -> Int32? {
        guard let shell = Int32((try? run(["display-message", "-p", "-t", "0", "#{pane_pid}"]))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") else { return nil }
        let children = (try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)) ?? ""
        return children.split(separator: " ").compactMap { Int32($0) }.first
    }

    /// `stty -a` of the pane's terminal after logtop ended (written by the session's shell line).
    func terminalModes() throws -> String {
        let path = directory + "/modes.txt"
        let end = Date().addingTimeInterval(10)
        while Date() < end {
            if let s = try? String(contentsOfFile: path, encoding: .utf8), !s.isEmpty { return s }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw TmuxError("no terminal modes written")
    }

    /// True when `stty -a` shows the line discipline back in cooked mode with echo.
    static func cooked(_ modes: String) -> Bool {
        let words = Set(modes.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == ";" }).map(String.init))
        return words.contains("icanon") && words.contains("echo")
    }

    /// The "lines N" figure of the request-rate pane.
    static func linesSeen(_ screen: String) -> Int? {
        guard let r = screen.range(of: #"lines (\d+)"#, options: .regularExpression) else { return nil }
        return Int(screen[r].dropFirst(6))
    }
}

struct TmuxError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
