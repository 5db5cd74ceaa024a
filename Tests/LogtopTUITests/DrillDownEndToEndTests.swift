import Foundation
import LogtopTestSupport
import Testing

/// Drilling into a top-list row in the real binary, at 80×24 (tmux): `n` selects the first URL,
/// `Enter` turns the whole dashboard into that URL's (title bar, a top list of that URL alone, its own
/// clients under `t`), `Esc` returns to all traffic.
@Suite("Drill-down on the dashboard (tmux)", .serialized)
struct DrillDownEndToEndTests {
    static let deadline: Double = 60

    /// The paths listed in the Top URLs pane (rows starting with `│/`).
    static func listedPaths(_ screen: String) -> [String] {
        screen.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("│/") else { return nil }
            return line.dropFirst().split(separator: " ").first.map(String.init)
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func enterOnARowShowsThatKeyAloneAndEscReturns() throws {
        let t = try TmuxSession(width: 80, height: 24, logtopArguments: ["--rate", "300"])
        defer {
            if let pid = t.logtopPID() { kill(pid, SIGKILL) }
            t.close()
        }
        try t.wait("several URLs", timeout: Self.deadline) { Self.listedPaths($0).count >= 3 }
        t.send("f")  // frozen: the row under the selection stays put while we read it
        let frozen = try t.wait("FROZEN", timeout: Self.deadline) { $0.contains("FROZEN") }
        let first = try #require(Self.listedPaths(frozen).first)
        t.send("n")
        t.send("Enter")
        t.send("f")
        let drilled = try t.wait("the drill-down of \(first)", timeout: Self.deadline) { screen in
            screen.split(separator: "\n").first?.contains("DRILL path \(first)".prefix(40)) == true
                && Self.listedPaths(screen) == [first] && screen.contains("100%")
        }
        #expect(!drilled.contains("FROZEN"))
        t.send("t")
        try t.wait("the clients of \(first)", timeout: Self.deadline) { $0.contains("Top clients") && $0.contains("DRILL path") }
        t.send("t")
        t.send("t")
        t.send("t")
        t.send("Escape")
        try t.wait("all URLs again", timeout: Self.deadline) { screen in
            screen.split(separator: "\n").first?.contains("DRILL") == false && Self.listedPaths(screen).count >= 3
        }
        t.send("q")
        let end = try t.wait("the shell after q", timeout: Self.deadline) { $0.contains("EXITED-") }
        #expect(end.contains("EXITED-0"))
    }
}
