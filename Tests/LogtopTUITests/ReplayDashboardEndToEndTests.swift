import Foundation
import LogtopTestSupport
import Testing

/// A paced replay (`--replay-speed 60`) in the real binary, in a real 80×24 terminal (tmux, see
/// `TmuxSession`): the title bar shows the log's time and the speed, the incident's alert fires at
/// its log time, `p` freezes the log's time and the count, `+` doubles the speed, the three-hour gap
/// is skipped and said so, and once the file is read the replay is over with every line counted.
@Suite("Replay on the dashboard (tmux)", .serialized)
struct ReplayDashboardEndToEndTests {
    static let deadline: Double = 60

    /// `log 2026-11-01 02:04:49` of the title bar, as seconds of the day.
    static func logClock(_ screen: String) -> Int? {
        guard let r = screen.range(of: #"log 2026-11-01 \d\d:\d\d:\d\d"#, options: .regularExpression) else { return nil }
        let parts = screen[r].suffix(8).split(separator: ":").compactMap { Int($0) }
        return parts.count == 3 ? parts[0] * 3600 + parts[1] * 60 + parts[2] : nil
    }

    @Test(.timeLimit(.minutes(5)))
    func replayAt60xShowsLogTimePausesSpeedsUpAndSkipsTheGap() throws {
        let logDir = FileManager.default.temporaryDirectory.appendingPathComponent("logtop-replay-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: logDir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: logDir) }
        let path = try IncidentLog.write(in: logDir)
        let t = try TmuxSession(width: 80, height: 24, logtopArguments: ["--source", "file:\(path)", "--replay-speed", "60"])
        defer {
            if let pid = t.logtopPID() { kill(pid, SIGKILL) }
            t.close()
        }
        // Playing: speed and log time in the title bar, the log's time moving at about a minute a second.
        let first = try t.wait("the replay's title bar", timeout: Self.deadline) { screen in
            screen.split(separator: "\n").first.map { $0.contains("replay 60x") } == true && Self.logClock(screen) != nil
        }
        #expect(!first.split(separator: "\n")[0].contains("UTC"), "wall clock shown instead of the log's time")
        // The error burst (02:02:00-02:02:40) fires error_rate; the alert log shows it at its log time.
        let alert = try t.wait("error_rate firing at 02:02", timeout: Self.deadline) { screen in
            screen.split(separator: "\n").contains { $0.contains("02:02:") && $0.contains("▲ error_rate") }
        }
        let clockAtAlert = try #require(Self.logClock(alert))
        #expect(clockAtAlert >= 2 * 3600 + 2 * 60 && clockAtAlert < 2 * 3600 + 6 * 60,
                "the alert shows while the log's time is near it, not at the end: \(alert)")

        // p: paused, the log's time holds still for two seconds (the count with it).
        t.send("p")
        let paused = try t.wait("PAUSED", timeout: Self.deadline) { $0.split(separator: "\n").first?.contains("PAUSED") == true }
        let held = try #require(Self.logClock(paused))
        let later = try t.wait("a screen 2 s later", timeout: 10, interval: 2) { _ in true }
        #expect(Self.logClock(later) == held, "the log's time moved while paused:\n\(later)")
        #expect(held < 2 * 3600 + 9 * 60, "the replay was over before the pause: \(paused)")

        // p again, then +: 120x, and the log's time moves on.
        t.send("p")
        t.send("+")
        try t.wait("replay 120x", timeout: Self.deadline) { screen in
            screen.contains("replay 120x") && !screen.contains("PAUSED") && (Self.logClock(screen) ?? 0) > held
        }
        // The three-hour gap is skipped and said so; the last minute plays; then the replay is over,
        // its time at the last line (05:09:59) and every line counted.
        let over = try t.wait("the replay over", timeout: 90) { screen in
            screen.contains("replay over") && screen.contains("skipped a gap (last 3h00m)")
        }
        #expect(Self.logClock(over) == 5 * 3600 + 9 * 60 + 59, "\(over)")
        try t.wait("every line in the pipeline pane", timeout: Self.deadline) { $0.contains("produced \(IncidentLog.lines)") }
        let after = try t.wait("a screen 3 s later", timeout: 10, interval: 3) { _ in true }
        #expect(Self.logClock(after) == 5 * 3600 + 9 * 60 + 59, "log time moved after the replay ended:\n\(after)")

        t.send("q")
        let end = try t.wait("the shell after q", timeout: Self.deadline) { $0.contains("EXITED-") }
        #expect(end.contains("EXITED-0"))
        #expect(end.contains("\(IncidentLog.lines) lines analysed"), "\(end)")
    }
}
