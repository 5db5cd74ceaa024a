import LogtopTestSupport
import Foundation
import Testing

/// Drives the real `logtop` binary built by `swift test`.
@Suite(.serialized) struct BatchCommand {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func launch(_ args: [String], in dir: String, stdin: FileHandle? = nil) throws -> (Process, TextCollector) {
        try launchLogtop(args, in: dir, stdin: stdin)
    }

    @Test func sigtermDrainsAndWritesTheTotal() throws {
        let dir = try temporaryDirectory("cli")
        let (p, collected) = try launch(["--batch", "--rate", "500", "--results-json", "r.jsonl", "--progress", "0.5s"], in: dir)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let results = dir + "/results.txt"
        // Running, and analysing (--progress prints its status line even without a terminal).
        #expect(waitUntil(30) { collected.text.range(of: #"progress: lines [1-9][0-9]{2,}"#, options: .regularExpression) != nil },
                "\(collected.text)")
        #expect(p.isRunning)
        kill(p.processIdentifier, SIGTERM)
        #expect(waitUntil(30) { !p.isRunning })
        #expect(p.terminationStatus == 0)
        #expect(waitUntil(5) { collected.finished })
        let stderr = collected.text
        #expect(stderr.hasPrefix("embedded Kafka broker at 127.0.0.1:"))
        #expect(stderr.contains("signal"))
        let text = try String(contentsOfFile: results, encoding: .utf8)
        #expect(text.contains("==== TOTAL"))
        let json = try String(contentsOfFile: dir + "/r.jsonl", encoding: .utf8)
        let lines = json.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("{\"type\":\"total\"") })
        // The delivery accounting closes the file.
        let kafka = try #require(lines.last)
        #expect(kafka.hasPrefix("{\"type\":\"kafka\""))
        #expect(text.contains("\nkafka           produced "))
        // Drained, not just stopped: every line produced was delivered and analysed.
        let record = { (line: Substring) throws -> [String: Any] in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        let delivery = try record(kafka)
        let total = try record(try #require(lines.first { $0.hasPrefix("{\"type\":\"total\"") }))
        let produced = try #require(delivery["produced"] as? Int), delivered = try #require(delivery["delivered"] as? Int)
        #expect(produced > 0 && produced == delivered && delivery["failed"] as? Int == 0 && delivery["lost"] as? Int == 0, "\(delivery)")
        let analysed = try #require(total["requests"] as? Int) + (try #require(total["malformed"] as? Int))
        #expect(analysed == delivered, "analysed \(analysed) of \(delivered) delivered")
    }

    @Test func stdinSourceEndsWhenInputIsExhausted() throws {
        let dir = try temporaryDirectory("cli")
        let input = Pipe()
        let (p, _) = try launch(["--batch", "--source", "stdin", "--results-json", "r.jsonl"], in: dir, stdin: input.fileHandleForReading)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        var lines = ""
        for i in 0..<3_000 {
            lines += "10.0.0.\(i % 9) - - [26/Nov/2026:10:00:\(String(format: "%02d", i / 100)) +0000] \"GET /p\(i % 4) HTTP/1.1\" \(i % 10 == 0 ? 500 : 200) 12 \"-\" \"t\"\n"
        }
        input.fileHandleForWriting.write(Data(lines.utf8))
        try input.fileHandleForWriting.close()
        #expect(waitUntil(60) { !p.isRunning })
        #expect(p.terminationStatus == 0)
        let json = try String(contentsOfFile: dir + "/r.jsonl", encoding: .utf8)
        let total = try #require(json.split(separator: "\n").first { $0.contains("\"type\":\"total\"") })
        #expect(total.contains("\"type\":\"total\""))
        #expect(total.contains("\"requests\":3000"))
        #expect(total.contains("\"500\":300"))
        #expect(total.contains("\"start\":\"2026-11-26T10:00:00Z\""))
    }

    /// `tail -F access.log | logtop --batch --source stdin`: a live pipe, written as requests happen.
    /// Its blocks are written as their intervals end, before the input ends; then the run ends with it.
    @Test(.timeLimit(.minutes(5))) func stdinAsALiveStreamWritesResultsBeforeItsEnd() throws {
        let dir = try temporaryDirectory("cli")
        let input = Pipe()
        let (p, _) = try launch(["--batch", "--source", "stdin", "--interval", "5s", "--results-json", "r.jsonl"], in: dir,
                                stdin: input.fileHandleForReading)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let clf = DateFormatter()
        clf.locale = Locale(identifier: "en_US_POSIX")
        clf.timeZone = TimeZone(identifier: "UTC")
        clf.dateFormat = "dd/MMM/yyyy:HH:mm:ss Z"
        var written = 0
        func intervals() -> Int {
            ((try? String(contentsOfFile: dir + "/r.jsonl", encoding: .utf8)) ?? "").split(separator: "\n")
                .filter { $0.contains("\"type\":\"interval\"") }.count
        }
        // Ten lines a second, stamped now, until two blocks are written (or 40 s pass).
        let deadline = Date().addingTimeInterval(40)
        while intervals() < 2, Date() < deadline {
            let line = "10.0.0.\(written % 9) - - [\(clf.string(from: Date()))] \"GET /live HTTP/1.1\" 200 12 \"-\" \"t\"\n"
            input.fileHandleForWriting.write(Data(line.utf8))
            written += 1
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(intervals() >= 2, "blocks written while the input is still open")
        #expect(p.isRunning)
        try input.fileHandleForWriting.close()
        #expect(waitUntil(60) { !p.isRunning })
        #expect(p.terminationStatus == 0)
        let json = try String(contentsOfFile: dir + "/r.jsonl", encoding: .utf8)
        let total = try #require(json.split(separator: "\n").first { $0.contains("\"type\":\"total\"") })
        #expect(total.contains("\"requests\":\(written)"), "\(total)")
    }

    @Test func badArgumentsAreExplained() throws {
        let dir = try temporaryDirectory("cli")
        for (args, needle) in [(["--batch", "--source", "ftp://x"], "--source ftp://x"),
                               (["--batch", "--scenario", "meteor"], "--scenario meteor"),
                               (["--batch", "--source", "file:/nonexistent/access.log"], "cannot read /nonexistent/access.log")] {
            let (p, err) = try launch(args, in: dir)
            defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
            #expect(waitUntil(15) { !p.isRunning })
            #expect(p.terminationStatus != 0)
            #expect(waitUntil(5) { err.finished })
            let text = err.text
            #expect(text.contains(needle), "\(args): \(text)")
        }
    }
}

/// Subcommands and multi-process runs of the real binary.
@Suite(.serialized) struct SubcommandCommand {
    /// Options a subcommand shares with the main command reach the subcommand.
    @Test(.timeLimit(.minutes(5))) func subcommandOptionsAreNotLost() throws {
        let dir = try temporaryDirectory("cli")
        let (broker, said) = try BatchCommand().launch(["broker", "--partitions", "3", "--metrics-topic", "m"], in: dir)
        defer { if broker.isRunning { kill(broker.processIdentifier, SIGKILL) } }
        #expect(waitUntil(20) { said.text.contains("topics:") })
        #expect(said.text.contains("logs[3], alerts[1], m[3]"), "\(said.text)")
        kill(broker.processIdentifier, SIGTERM)

        let started = Date()
        let (member, _) = try BatchCommand().launch(["analyze", "--duration", "1s"], in: dir)
        defer { if member.isRunning { kill(member.processIdentifier, SIGKILL) } }
        #expect(waitUntil(60) { !member.isRunning }, "analyze --duration 1s ends by itself")
        #expect(member.terminationStatus == 0)
        #expect(Date().timeIntervalSince(started) < 30)
    }

    /// scripts/scale-demo.sh: a broker, a generator, three analyzer processes (one killed with
    /// SIGKILL mid-run) and a merged batch view; the script checks merged total == produced.
    @Test(.timeLimit(.minutes(5))) func scaleDemoKillsAnAnalyzerAndTheMergedTotalsStayExact() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [BatchCommand.packageRoot.appendingPathComponent("scripts/scale-demo.sh").path, "20000", "2000"]
        var env = ProcessInfo.processInfo.environment
        env["LOGTOP"] = try logtopBinary()
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let said = TextCollector(out.fileHandleForReading)
        #expect(waitUntil(200) { !p.isRunning })
        #expect(waitUntil(5) { said.finished })
        #expect(p.terminationStatus == 0, "\(said.text)")
        #expect(said.text.contains("killing analyzer b (SIGKILL)"))
        #expect(said.text.contains("OK: the merged totals equal what was produced"), "\(said.text)")
    }
}
