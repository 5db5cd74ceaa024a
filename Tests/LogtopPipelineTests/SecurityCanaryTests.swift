import Foundation
import LogtopTestSupport
import Testing

/// The canary: logtop runs in every mode that can run here with a unique password, and the password
/// must appear nowhere a person or another user could see it: standard output and error, results
/// files, the screen (tmux capture), and the process's command line (`/proc/PID/cmdline`). Its
/// environment (`/proc/PID/environ`, readable by the same user only) does hold it when it was given
/// there: that is checked too, to prove the search would find it.
@Suite(.serialized) struct SecurityCanaryTests {
    let canary = "canary-" + UUID().uuidString.lowercased()

    @Test func embeddedClusterWithCredentialsInTheEnvironment() throws {
        let run = try LogtopRun(["--batch", "--duration", "3s", "--rate", "300", "--results-json", "r.jsonl"],
                                env: ["KAFKA_USERNAME": "admin", "KAFKA_PASSWORD": canary])
        #expect(run.environ.contains(canary), "positive control: the search finds the canary where it is")
        #expect(run.cmdline.contains("--results-json r.jsonl"), "positive control: logtop's own command line was read")
        try run.finish(timeout: 60)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("embedded Kafka broker at"))
        #expect(FileManager.default.fileExists(atPath: run.dir + "/results.txt"))
        try run.expectNoCanary(canary)
    }

    @Test func embeddedClusterWithCredentialsInALooseDotenv() throws {
        let dir = try temporaryDirectory("canary")
        try "KAFKA_USERNAME=admin\nKAFKA_PASSWORD=\(canary)\n".write(toFile: dir + "/.env", atomically: true, encoding: .utf8)
        chmod(dir + "/.env", 0o644)
        let run = try LogtopRun(["--batch", "--duration", "2s", "--show-config"], in: dir)
        try run.finish(timeout: 30)
        #expect(run.status == 0)
        #expect(run.stdout.contains("credentials: set (.env KAFKA_USERNAME, .env KAFKA_PASSWORD) but not used"))
        try run.expectNoCanary(canary, skipping: [".env"])
    }

    @Test func generateToStdout() throws {
        let run = try LogtopRun(["generate", "--stdout", "--count", "200", "--no-pace"],
                                env: ["KAFKA_USERNAME": "admin", "KAFKA_PASSWORD": canary])
        try run.finish(timeout: 30)
        #expect(run.status == 0)
        #expect(run.stdout.split(separator: "\n").count == 200)
        try run.expectNoCanary(canary)
    }

    @Test func showConfigAgainstABrokerIsRedacted() throws {
        let run = try LogtopRun(["generate", "--show-config", "--brokers", "localhost:9093", "-X", "linger.ms=9"],
                                env: ["KAFKA_USERNAME": "admin", "KAFKA_PASSWORD": canary])
        try run.finish(timeout: 30)
        #expect(run.status == 0)
        #expect(run.stdout.contains("sasl.password=[redacted]"))
        #expect(run.stdout.contains("security.protocol=sasl_ssl"))
        try run.expectNoCanary(canary)
    }

    @Test func aTLSPeerThatIsNoKafkaAndAnUnknownCA() throws {
        let certs = try TestCertificates.shared.get()
        let peer = try SecurityTestPeer.tlsServer(cert: certs.localhost, key: certs.key)
        for (ca, expected, fix) in [(certs.ca, "does not answer as Kafka", "(hint: check the port in --brokers"),
                                    (certs.otherCA, "not signed by a trusted CA", "(hint: \(certs.otherCA) is not the CA that signed")] {
            let run = try LogtopRun(["--batch", "--brokers", "localhost:\(peer.port)", "--ca", ca, "--results", "out.txt"],
                                    env: ["KAFKA_USERNAME": "admin", "KAFKA_PASSWORD": canary])
            try run.finish(timeout: 15)
            #expect(run.status != 0)
            #expect(run.elapsed < 15, "a non-zero exit within 15 s")
            #expect(run.stderr.contains(expected), "\(run.stderr)")
            #expect(run.stderr.contains(fix), "the fix, in logtop's terms: \(run.stderr)")
            try run.expectNoCanary(canary)
        }
    }

    @Test func aSASLBrokerWithTheWrongAndTheRightPassword() throws {
        let certs = try TestCertificates.shared.get()
        let broker = try SecurityTestPeer.fakeBroker(users: ["admin": canary], cert: certs.localhost, key: certs.key)
        let wrong = try LogtopRun(["--batch", "--brokers", "localhost:\(broker.port)", "--ca", certs.ca],
                                  env: ["KAFKA_USERNAME": "admin", "KAFKA_PASSWORD": canary + "-wrong"])
        try wrong.finish(timeout: 15)
        #expect(wrong.status != 0 && wrong.elapsed < 15)
        #expect(wrong.stderr.contains("SASL authentication as \"admin\""), "\(wrong.stderr)")
        #expect(wrong.stderr.contains("(hint: check KAFKA_USERNAME and KAFKA_PASSWORD"), "\(wrong.stderr)")
        try wrong.expectNoCanary(canary)

        // The right password, from a password file: authenticates, then the fake broker refuses topics.
        let dir = try temporaryDirectory("canary")
        try canary.write(toFile: dir + "/pw", atomically: true, encoding: .utf8)
        chmod(dir + "/pw", 0o600)
        let right = try LogtopRun(["--batch", "--brokers", "localhost:\(broker.port)", "--ca", certs.ca, "--username", "admin",
                                   "--password-file", "pw"], in: dir)
        try right.finish(timeout: 15)
        #expect(waitUntil(5) { broker.output.lines.contains("AUTH ok admin") }, "\(broker.output.lines)")
        #expect(right.status != 0)
        #expect(right.stderr.contains("fake broker: no topics here"), "\(right.stderr)")
        try right.expectNoCanary(canary, skipping: ["pw"])
        #expect(!broker.output.lines.joined().contains(canary), "the fake broker prints users, not passwords")
    }

    @Test func plainCredentialsInClearAreRefusedThenSentOnlyWhenAsked() throws {
        let broker = try SecurityTestPeer.fakeBroker(users: ["admin": canary])
        let refused = try LogtopRun(["--batch", "--brokers", "localhost:\(broker.port)", "-X", "security.protocol=sasl_plaintext"],
                                    env: ["KAFKA_USERNAME": "admin", "KAFKA_PASSWORD": canary])
        try refused.finish(timeout: 15)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("refusing to send the SASL/PLAIN password unencrypted"))
        #expect(refused.stderr.contains("pass --insecure-plaintext-sasl to send it anyway"), "the fix: \(refused.stderr)")
        #expect(broker.output.lines.filter { $0.hasPrefix("AUTH") }.isEmpty, "nothing was sent")
        try refused.expectNoCanary(canary)

        let allowed = try LogtopRun(["--batch", "--brokers", "localhost:\(broker.port)", "--insecure-plaintext-sasl"],
                                    env: ["KAFKA_USERNAME": "admin", "KAFKA_PASSWORD": canary])
        try allowed.finish(timeout: 15)
        #expect(allowed.stderr.contains("WARNING: sending the SASL/PLAIN password"))
        #expect(waitUntil(5) { broker.output.lines.contains("AUTH ok admin") })
        try allowed.expectNoCanary(canary)
    }

    @Test func aPasswordOnTheCommandLineIsRefused() throws {
        let run = try LogtopRun(["--batch", "--brokers", "localhost:9093", "-X", "sasl.password=\(canary)"])
        try run.finish(timeout: 15)
        #expect(run.status != 0)
        #expect(run.stderr.contains("/proc/PID/cmdline"))
        #expect(!run.stderr.contains(canary) && !run.stdout.contains(canary), "not even echoed back")
    }

    /// The dashboard (no --batch) in a real terminal, on the embedded cluster and against a SASL broker
    /// that refuses the password: no screen may show it.
    @Test func theScreenInATerminal() throws {
        let tmuxPath = try requireTool("tmux", package: "tmux")
        let certs = try TestCertificates.shared.get()
        let broker = try SecurityTestPeer.fakeBroker(users: ["admin": canary], cert: certs.localhost, key: certs.key)
        for (extra, password) in [([String](), canary), (["--brokers", "localhost:\(broker.port)", "--ca", certs.ca], canary + "-wrong")] {
            let dir = try temporaryDirectory("canary")
            let socket = "logtop-canary-\(UUID().uuidString.prefix(8))"
            let tmux = [tmuxPath, "-L", socket, "-f", "/dev/null"]
            let command = (["env", "KAFKA_USERNAME=admin", "KAFKA_PASSWORD=\(password)", "TERM=xterm-256color", "LANG=C.UTF-8",
                            try LogtopRun.binary, "--rate", "100"] + extra).map(shellQuote).joined(separator: " ")
            // The password is in tmux's command (the test's doing: it stands for the user's shell), never in
            // logtop's own command line, which is checked below.
            let script = "cd \(shellQuote(dir)) && \(command); echo EXITED-$?; exec sleep 120"
            #expect(cleanSpawn(tmux + ["new-session", "-d", "-x", "120", "-y", "40", "bash", "-c", script], capture: false, environment: canaryEnvironment).0 == 0)
            defer { _ = cleanSpawn(tmux + ["kill-server"], capture: true, environment: canaryEnvironment) }
            var screens: [String] = []
            // logtop's command line, read from /proc while it runs (a child of the pane's shell).
            let binaryPath = try LogtopRun.binary
            var commandLines: [String] = []
            func readCommandLines() {
                let shell = cleanSpawn(tmux + ["display-message", "-p", "-t", "0", "#{pane_pid}"], capture: true, environment: canaryEnvironment).1
                guard let pid = Int32(shell.trimmingCharacters(in: .whitespacesAndNewlines)) else { return }
                let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
                commandLines += children.split(separator: " ").compactMap { Int32($0) }.map { LogtopRun.procText($0, "cmdline") }
                    // Only logtop itself: a subshell bash forked, or `env` before it execs logtop, still carries
                    // the test's command (the password included, by the test's doing).
                    .filter { $0.hasPrefix(binaryPath + " ") }
            }
            let drawn = waitUntil(30) {
                readCommandLines()
                let screen = cleanSpawn(tmux + ["capture-pane", "-p", "-t", "0"], capture: true, environment: canaryEnvironment).1
                screens.append(screen)
                // The dashboard's panes, or logtop's own words before it ended (an error, a message).
                return screen.contains("Request rate") || screen.contains("EXITED-")
            }
            #expect(drawn, "nothing recognisable on screen: \(screens.last ?? "")")
            readCommandLines()
            if extra.isEmpty {
                // The dashboard on the embedded cluster runs until killed: its command line must have been read.
                #expect(!commandLines.isEmpty, "logtop's /proc/PID/cmdline was never read")
            }
            for line in commandLines { #expect(!line.contains(password), "/proc/PID/cmdline of logtop: \(line)") }
            screens.append(cleanSpawn(tmux + ["capture-pane", "-p", "-t", "0", "-S", "-200"], capture: true, environment: canaryEnvironment).1)
            for screen in screens { #expect(!screen.contains(canary), "on screen:\n\(screen)") }
            try LogtopRun.expectNoCanary(canary, inFilesOf: dir)
        }
    }
}

func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }


/// One run of the real `logtop` binary in a scratch folder, with everything it printed.
final class LogtopRun {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static var binary: String { get throws { try logtopBinary() } }

    let process = Process()
    let dir: String
    let started = Date()
    private(set) var elapsed: Double = 0
    private let out: TextCollector
    private let err: TextCollector
    /// `/proc/PID/cmdline` and `/proc/PID/environ`, read right after the start.
    let cmdline: String
    let environ: String

    init(_ args: [String], env: [String: String] = [:], in dir: String? = nil) throws {
        self.dir = try dir ?? temporaryDirectory("canary")
        process.executableURL = URL(fileURLWithPath: try Self.binary)
        process.arguments = args
        process.currentDirectoryURL = URL(fileURLWithPath: self.dir)
        // A clean environment: nothing of the developer's Kafka settings leaks into the run.
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": self.dir]
            .merging(env) { _, new in new }
        let o = Pipe(), e = Pipe()
        process.standardOutput = o
        process.standardError = e
        process.standardInput = FileHandle.nullDevice
        out = TextCollector(o.fileHandleForReading)
        err = TextCollector(e.fileHandleForReading)
        try process.run()
        // Once exec is done, /proc/PID/cmdline names logtop (before, it is the forked test process).
        let pid = process.processIdentifier, name = URL(fileURLWithPath: try Self.binary).lastPathComponent
        var cmd = "", env = ""
        _ = waitUntil(5) { [process] in
            cmd = Self.procText(pid, "cmdline")
            env = Self.procText(pid, "environ")
            return cmd.contains(name) || !process.isRunning
        }
        cmdline = cmd
        environ = env
    }

    /// Waits for the end (SIGKILL after `timeout` seconds), then for the output to be complete.
    func finish(timeout: Double) throws {
        if !waitUntil(timeout, { !process.isRunning }) {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("logtop \(process.arguments ?? []) still ran after \(timeout) s")
        }
        process.waitUntilExit()
        elapsed = Date().timeIntervalSince(started)
        _ = waitUntil(5) { out.finished && err.finished }
    }

    var status: Int32 { process.terminationStatus }
    var stdout: String { out.text }
    var stderr: String { err.text }

    static func procText(_ pid: Int32, _ name: String) -> String {
        guard let h = FileHandle(forReadingAtPath: "/proc/\(pid)/\(name)") else { return "" }
        defer { try? h.close() }
        return String(decoding: (try? h.readToEnd()) ?? Data(), as: UTF8.self).replacingOccurrences(of: "\0", with: " ")
    }

    func expectNoCanary(_ canary: String, skipping inputs: Set<String> = [], sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(!stdout.contains(canary), "stdout", sourceLocation: sourceLocation)
        #expect(!stderr.contains(canary), "stderr: \(stderr)", sourceLocation: sourceLocation)
        #expect(!cmdline.contains(canary), "/proc/PID/cmdline", sourceLocation: sourceLocation)
        try Self.expectNoCanary(canary, inFilesOf: dir, skipping: inputs, sourceLocation: sourceLocation)
    }

    /// Every file the run left (results.txt, JSON lines...), except the inputs the test wrote.
    static func expectNoCanary(_ canary: String, inFilesOf dir: String, skipping inputs: Set<String> = [],
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let files = FileManager.default.enumerator(atPath: dir)?.compactMap { $0 as? String } ?? []
        for file in files where !inputs.contains(file) {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir + "/" + file, isDirectory: &isDir), !isDir.boolValue else { continue }
            let data = FileManager.default.contents(atPath: dir + "/" + file) ?? Data()
            #expect(data.range(of: Data(canary.utf8)) == nil, "the password is in \(file)", sourceLocation: sourceLocation)
        }
    }
}



struct SecurityTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The whole environment of the canary's children: nothing of the test's (no secret can come from it).
let canaryEnvironment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]

/// `openssl s_server` or `scripts/fake-kafka-broker.py` on 127.0.0.1, killed when released.
final class SecurityTestPeer {
    let process: Process
    let port: Int
    let output: TextCollector

    private init(process: Process, port: Int, output: TextCollector) {
        self.process = process
        self.port = port
        self.output = output
    }

    /// SIGKILL: children of the test process inherit its blocked SIGTERM.
    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    private static func start(_ args: [String]) throws -> (Process, TextCollector) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        let out = Pipe()
        p.standardInput = FileHandle.nullDevice  // s_server: close each session after the handshake
        p.standardOutput = out
        p.standardError = out
        try p.run()
        return (p, TextCollector(out.fileHandleForReading))
    }

    static func tlsServer(cert: String, key: String) throws -> SecurityTestPeer {
        for _ in 0..<5 {
            let port = freePort()
            let (p, lines) = try start(["openssl", "s_server", "-accept", "127.0.0.1:\(port)", "-cert", cert, "-key", key, "-quiet"])
            let peer = SecurityTestPeer(process: p, port: port, output: lines)
            if waitUntil(10, { !p.isRunning || accepts(port: port) }), p.isRunning { return peer }
        }
        throw SecurityTestError("openssl s_server did not start")
    }

    static func fakeBroker(users: [String: String], cert: String? = nil, key: String? = nil) throws -> SecurityTestPeer {
        var args = ["python3", LogtopRun.packageRoot + "/scripts/fake-kafka-broker.py", "--port", "0", "--lifetime", "120"]
        for (user, password) in users.sorted(by: { $0.key < $1.key }) { args += ["--user", "\(user):\(password)"] }
        if let cert, let key { args += ["--cert", cert, "--key", key] }
        let (p, lines) = try start(args)
        var port: Int?
        _ = waitUntil(15) {
            port = lines.lines.first { $0.hasPrefix("PORT ") }.flatMap { Int($0.dropFirst(5)) }
            return port != nil || !p.isRunning
        }
        guard let port else {
            kill(p.processIdentifier, SIGKILL)
            throw SecurityTestError("the fake broker did not start: \(lines.lines)")
        }
        return SecurityTestPeer(process: p, port: port, output: lines)
    }
}



