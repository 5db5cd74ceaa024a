import Foundation
import LogtopTestSupport
import Testing

/// The dashboard's filter (`/`) in the real binary, in an 80×24 terminal (tmux): a bad expression says
/// where it is wrong; `status:<500` empties the 5xx share of the status pane while the `error_rate`
/// alert of the errors scenario keeps firing (the rules see all traffic); Esc brings all traffic back.
@Suite("Filter on the dashboard (tmux)", .serialized)
struct FilterDashboardEndToEndTests {
    static let deadline: Double = 60

    /// The `5xx NN%` share of the status pane.
    static func share5xx(_ screen: String) -> Int? {
        guard let r = screen.range(of: #"5xx \d+%"#, options: .regularExpression) else { return nil }
        return Int(screen[r].dropFirst(4).dropLast())
    }

    @Test(.timeLimit(.minutes(5)))
    func aFilterNarrowsThePanesButNotTheAlerts() throws {
        let t = try TmuxSession(width: 80, height: 24, logtopArguments: ["--rate", "300", "--scenario", "errors"])
        defer {
            if let pid = t.logtopPID() { kill(pid, SIGKILL) }
            t.close()
        }
        try t.wait("5xx traffic", timeout: Self.deadline) { (Self.share5xx($0) ?? 0) > 10 }

        t.send("/")
        t.send("stat:5")
        t.send("Enter")
        let bad = try t.wait("the error under the prompt", timeout: Self.deadline) { $0.contains("at column 1: unknown field 'stat'") }
        #expect(bad.contains("/ stat:5_"))
        #expect(!bad.contains("FILTER"))
        t.send("Escape")
        try t.wait("the prompt gone", timeout: Self.deadline) { !$0.contains("/ stat:5") }

        t.send("/")
        t.send("status:<500")
        t.send("Enter")
        let filtered = try t.wait("only non-5xx requests, error_rate still firing", timeout: 90) { screen in
            screen.split(separator: "\n").first?.contains("FILTER status:<500 since") == true
                && Self.share5xx(screen) == 0 && screen.contains("▲ error_rate")
        }
        #expect(filtered.contains("firing"), "\(filtered)")

        t.send("Escape")
        try t.wait("all traffic again", timeout: Self.deadline) { screen in
            screen.split(separator: "\n").first?.contains("FILTER") == false && (Self.share5xx(screen) ?? 0) > 10
        }
        t.send("q")
        let end = try t.wait("the shell after q", timeout: Self.deadline) { $0.contains("EXITED-") }
        #expect(end.contains("EXITED-0"))
    }
}
