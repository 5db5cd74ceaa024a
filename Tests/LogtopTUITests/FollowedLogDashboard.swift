import Foundation
import LogtopTestSupport
@testable import LogtopTUI

/// The real binary's dashboard in tmux, following a log file the test appends batches of
/// `CorpusRequest.batch` to (`--source file:PATH --follow`, from the end), at a size where every
/// pane shows all it can (160×40: the top list's ten entries, nine status codes). Filters and
/// drill-downs count from the moment they are applied, so each phase applies one, waits until the
/// analyzer has it (the figures drop to none: the title bar changes at once, the analyzer a moment
/// later), and only then writes the lines it counts.
final class FollowedLogDashboard {
    static let width = 160, height = 40
    static let deadline: Double = 60

    let tmux: TmuxSession
    let logPath: String
    private let logDir: String
    let layout: DashboardLayout
    /// Lines appended so far (the `lines N` the rate pane shows once all are analysed).
    private(set) var linesWritten = 0
    /// Malformed lines among them (the pipeline pane's `malformed N`).
    private(set) var malformedLines = 0

    /// Rows the status histogram and the top list have room for at this size.
    var histogramRows: Int { layout.status.height - 2 - 2 }
    var topRows: Int { layout.topList.height - 2 - 1 }

    init() throws {
        logDir = FileManager.default.temporaryDirectory.appendingPathComponent("logtop-figures-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: logDir, withIntermediateDirectories: true)
        logPath = logDir + "/access.log"
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else { throw TmuxError("cannot create \(logPath)") }
        layout = DashboardLayout.compute(width: Self.width, height: Self.height)!
        tmux = try TmuxSession(width: Self.width, height: Self.height,
                               logtopArguments: ["--source", "file:\(logPath)", "--follow"])
        // Following from the end: lines written before the source reached the end would be skipped.
        try tmux.wait("the followed file at its end", timeout: Self.deadline) { $0.contains(" following") }
    }

    func close() {
        if let pid = tmux.logtopPID() { kill(pid, SIGKILL) }
        tmux.close()
        try? FileManager.default.removeItem(atPath: logDir)
    }

    func figures(_ screen: String) -> ScreenFigures { ScreenFigures(screen: screen, width: Self.width, height: Self.height) }

    /// Appends one batch stamped now (its two seconds ending at the current one).
    func writeBatch() throws {
        let now = Date()
        linesWritten += try CorpusRequest.appendBatch(to: logPath, base: Int64(now.timeIntervalSince1970) - 1)
        malformedLines += CorpusRequest.malformed.count
        lastBatch = now
    }

    /// When the last batch was written: its lines leave the 60 s window about a minute later.
    private var lastBatch = Date()

    /// Waits until every line written is analysed and the screen shows `expected` (the top list on
    /// screen, whichever it is), at most until 55 s after the last batch (then its lines start
    /// leaving the window); fails with the screen that came closest, what it should show and what
    /// differs.
    @discardableResult
    func awaitFigures(_ expected: ExpectedFigures, _ what: String) throws -> (screen: String, figures: ScreenFigures) {
        var closest: (String, ScreenFigures, [String])?
        var last = (ScreenFigures(), [String]())
        let lines = linesWritten
        let timeout = max(1, 55 - Date().timeIntervalSince(lastBatch))
        let shown = try? tmux.wait(what, timeout: timeout) { screen in
            let f = figures(screen)
            var p = expected.problems(f, histogramRows: histogramRows, topRows: topRows)
            if f.linesSeen != lines { p.insert("lines \(f.linesSeen.map(String.init) ?? "?"), expected \(lines) analysed", at: 0) }
            // Malformed lines are a figure of all traffic, under a filter too.
            if f.malformed != malformedLines { p.append("malformed \(f.malformed.map(String.init) ?? "?"), expected \(malformedLines)") }
            if closest == nil || p.count <= closest!.2.count { closest = (screen, f, p) }
            last = (f, p)
            return p.isEmpty
        }
        guard let screen = shown else {
            let (s, f, p) = closest ?? ("", ScreenFigures(), [])
            throw TmuxError("""
                timed out waiting for \(what) (55 s after the batch was written); on the screen that came closest, what differs:
                  \(p.joined(separator: "\n  "))
                \(expected)
                read from that screen:
                \(f)
                that screen:
                \(s)
                the last screen read:
                \(last.0)
                what differs there:
                  \(last.1.joined(separator: "\n  "))
                """)
        }
        return (screen, figures(screen))
    }

    /// `awaitFigures` for each top list in turn (`t` four times, back to the one it started on): the
    /// figures of the first screen and the rows of every list.
    func awaitAllLists(_ expected: ExpectedFigures, _ what: String) throws -> (figures: ScreenFigures, lists: [TopListMode: [ScreenFigures.TopRow]]) {
        let first = try awaitFigures(expected, what).figures
        guard let start = first.topMode else { throw TmuxError("no top list on screen") }
        var lists = [start: first.top]
        var mode = start
        for _ in 0..<TopListMode.allCases.count {
            tmux.send("t")
            mode = mode.next
            let target = mode
            _ = try tmux.wait("\(target.title)", timeout: Self.deadline) { figures($0).topMode == target }
            lists[mode] = try awaitFigures(expected, "\(what), \(mode.title)").figures.top
        }
        return (first, lists)
    }

    /// Clears a filter or drill-down in force (Esc), waiting for all traffic on screen again.
    func clear() throws {
        let title = tmux.capture().split(separator: "\n").first ?? ""
        guard title.contains("FILTER") || title.contains("DRILL") else { return }
        tmux.send("Escape")
        try tmux.wait("the filter cleared", timeout: Self.deadline) { screen in
            let f = figures(screen)
            return !f.title.contains("FILTER") && !f.title.contains("DRILL") && f.inWindow != nil && f.inWindow != "0"
        }
    }

    /// Types `/expression` Enter and waits until the analyzer counts with it: the title bar says
    /// `FILTER expression since …` and the figures start from none.
    func applyFilter(_ expression: String) throws {
        try clear()
        tmux.send("/")
        try tmux.wait("the filter prompt", timeout: Self.deadline) { $0.split(separator: "\n").last?.hasPrefix("/ ") == true }
        tmux.type(expression)
        let pressed = Date()
        tmux.send("Enter")
        try awaitEmptyView("FILTER \(expression) since", pressed: pressed)
    }

    /// Selects row `row` of the top list on screen (`n` row+1 times), drills into it (`Enter`) and
    /// waits until the analyzer counts that key alone; returns the key.
    func drill(row: Int) throws -> (mode: TopListMode, key: String) {
        try drill { rows in row < rows.count ? row : nil }
    }

    /// Drills into the row of the top list on screen that `pick` chooses (an index of its rows).
    func drill(_ pick: ([ScreenFigures.TopRow]) -> Int?) throws -> (mode: TopListMode, key: String) {
        let f = figures(tmux.capture())
        guard let mode = f.topMode, let row = pick(f.top) else { throw TmuxError("no row to drill into:\n\(f)") }
        let key = f.top[row].key
        for _ in 0...row { tmux.send("n") }
        let pressed = Date()
        tmux.send("Enter")
        try awaitEmptyView("DRILL \(mode.column) \(key) since", pressed: pressed)
        return (mode, key)
    }

    /// Waits for `badge` in the title bar and the analyzer's new, empty view under it; the time after
    /// `since` is the event time when the key was `pressed` (which follows the clock while no lines
    /// come: within a few seconds of it).
    private func awaitEmptyView(_ badge: String, pressed: Date) throws {
        let screen = try tmux.wait("\(badge) and nothing counted yet", timeout: Self.deadline) { screen in
            let f = figures(screen)
            return f.title.contains(badge) && f.inWindow == "0" && f.statusEmpty && f.topEmpty
        }
        let title = figures(screen).title
        guard let r = title.range(of: badge),
              let clock = ScreenFigures.groups(String(title[r.upperBound...]), #"^ (\d\d):(\d\d):(\d\d) "#)?.compactMap({ Int($0) }),
              clock.count == 3 else { throw TmuxError("no time after '\(badge)': \(title)") }
        let shown = clock[0] * 3600 + clock[1] * 60 + clock[2]
        let wall = Int(pressed.timeIntervalSince1970) % 86_400
        let behind = (wall - shown + 86_400) % 86_400
        if behind > 10 && behind < 86_400 - 2 {
            throw TmuxError("the title bar counts since \(clock), the key was pressed at \(wall / 3600):\(wall / 60 % 60):\(wall % 60) UTC: \(title)")
        }
    }

    /// q, and logtop's exit status.
    func quit() throws -> Bool {
        tmux.send("q")
        let end = try tmux.wait("the shell after q", timeout: Self.deadline) { $0.contains("EXITED-") }
        return end.contains("EXITED-0")
    }
}
