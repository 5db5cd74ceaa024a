import Foundation
import Testing

/// The real binary in a real terminal: logtop runs in a detached tmux session (its own server socket),
/// keys go in with send-keys and the screen comes back with capture-pane. Every wait is a condition
/// polled against a deadline, never a fixed sleep.
///
/// The binary is `LOGTOP_BIN` if set, else the `logtop` next to the test bundle (same build directory),
/// else `.build/debug/logtop` under the package root.
@Suite("Dashboard end to end (tmux)", .serialized, .enabled(if: TmuxSession.available, "tmux is not installed (scripts/setup.sh installs it)"))
struct DashboardEndToEndTests {
    /// Generous: two cores shared with the rest of the test suite and an embedded Kafka cluster.
    static let deadline: Double = 60

    @Test(.timeLimit(.minutes(3)))
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

    @Test(.timeLimit(.minutes(3)))
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

    @Test(.timeLimit(.minutes(2)))
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

    @Test(.timeLimit(.minutes(2)))
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
}

/// One tmux server (private socket) with one window running logtop, then a shell line that reports
/// logtop's exit status.
final class TmuxSession {
    let socket = "logtop-test-\(UUID().uuidString.prefix(12))"
    let directory: String
    private var closed = false

    static var available: Bool { FileManager.default.isExecutableFile(atPath: tmuxPath) }
    static let tmuxPath = ["/usr/bin/tmux", "/usr/local/bin/tmux"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/tmux"

    /// The logtop binary under test.
    static func binary() throws -> String {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["LOGTOP_BIN"], !env.isEmpty { return env }
        if let exe = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            let sibling = URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("logtop").path
            if fm.isExecutableFile(atPath: sibling) { return sibling }
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let fallback = root.appendingPathComponent(".build/debug/logtop").path
        guard fm.isExecutableFile(atPath: fallback) else {
            throw TmuxError("logtop binary not found: build it (swift build) or set LOGTOP_BIN")
        }
        return fallback
    }

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
        let argv = [Self.tmuxPath, "-L", socket, "-f", "/dev/null"] + args
        let (status, text) = try Self.spawn(argv, capture: capture)
        guard status == 0 else { throw TmuxError("tmux \(args.joined(separator: " ")): exit \(status): \(text)") }
        return text
    }

    /// Runs a program and waits for it. posix_spawn rather than Foundation's Process: the child gets a
    /// clean signal mask and default handlers (a test thread blocks signals, and tmux's server and
    /// logtop would inherit that: SIGTERM would never arrive), and no descriptor but 0-2 (the server
    /// daemon must not hold a pipe of ours, or of another test, open).
    static func spawn(_ argv: [String], capture: Bool) throws -> (Int32, String) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var all = sigset_t()
        sigfillset(&all)
        sigdelset(&all, SIGKILL)
        sigdelset(&all, SIGSTOP)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var fds: [Int32] = [-1, -1]
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if capture {
            guard pipe(&fds) == 0 else { throw TmuxError("pipe failed") }
            posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
            posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        _ = spawnActionsCloseFrom(&actions, 3)
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        var cenv: [UnsafeMutablePointer<CChar>?] = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in cargs { free(p) }
            for p in cenv { free(p) }
        }
        var pid = pid_t()
        let rc = posix_spawn(&pid, argv[0], &actions, &attr, &cargs, &cenv)
        if capture { Glibc.close(fds[1]) }
        guard rc == 0 else {
            if capture { Glibc.close(fds[0]) }
            throw TmuxError("cannot run \(argv[0]): \(String(cString: strerror(rc)))")
        }
        var output = [UInt8]()
        if capture {
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
                if n < 0, errno == EINTR { continue }
                if n <= 0 { break }
                output += chunk[0..<n]
            }
            Glibc.close(fds[0])
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let code = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return (code, String(decoding: output, as: UTF8.self))
    }

    func capture() -> String { (try? run(["capture-pane", "-p", "-t", "0"])) ?? "" }

    /// Keys in tmux notation ("q", "Escape", "C-c").
    func send(_ keys: String...) { _ = try? run(["send-keys", "-t", "0"] + keys) }

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

/// glibc ≥ 2.34 (Debian 12 has 2.36); not exported by the Glibc module.
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
func spawnActionsCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32

struct TmuxError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
