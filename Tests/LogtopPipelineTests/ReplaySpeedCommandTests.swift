import Foundation
import LogtopTestSupport
import Testing

/// `--replay-speed` through the real binary in batch mode: a ten-minute log at 60x takes about ten
/// seconds, fires the same alerts as a run at full speed, in order and spaced as the log's time says,
/// and says which gap it skipped.
@Suite(.serialized) struct ReplaySpeedCommand {
    struct Run {
        var seconds: Double
        var stderr: String
        /// Wall seconds after the start when each ALERT line was first seen, in order.
        var alerts: [(line: String, at: Double)]
        var json: String
    }

    func run(_ extra: [String], in dir: String) throws -> Run {
        let start = Date()
        let (p, collected) = try launchLogtop(["--batch", "--source", "file:access.log", "--results-json", "r.jsonl"] + extra, in: dir)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        var alerts: [(String, Double)] = []
        // Each ALERT line's arrival, polled every 20 ms until the process ends (deadline 120 s).
        let ended = waitUntil(120) {
            let lines = collected.text.split(separator: "\n").filter { $0.hasPrefix("ALERT ") }
            for l in lines.dropFirst(alerts.count) { alerts.append((String(l), Date().timeIntervalSince(start))) }
            return !p.isRunning
        }
        #expect(ended, "logtop did not end: \(collected.text)")
        let seconds = Date().timeIntervalSince(start)
        #expect(waitUntil(5) { collected.finished })
        let text = collected.text
        for l in text.split(separator: "\n").filter({ $0.hasPrefix("ALERT ") }).dropFirst(alerts.count) {
            alerts.append((String(l), seconds))
        }
        #expect(p.terminationStatus == 0, "\(text)")
        return Run(seconds: seconds, stderr: text, alerts: alerts,
                   json: (try? String(contentsOfFile: dir + "/r.jsonl", encoding: .utf8)) ?? "")
    }

    static func totalRequests(_ json: String) throws -> Int {
        let line = try #require(json.split(separator: "\n").first { $0.hasPrefix("{\"type\":\"total\"") })
        let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        return try #require(o["requests"] as? Int)
    }

    @Test(.timeLimit(.minutes(5)))
    func aTenMinuteLogAt60xTakesAboutTenSecondsAndFiresItsAlertsInOrder() throws {
        let dir = try temporaryDirectory("replay")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try IncidentLog.write(in: dir)

        let fast = try run([], in: dir)                             // the default: max
        let paced = try run(["--replay-speed", "60"], in: dir)

        // Ten minutes of log at 60x: ten seconds of replay (the three-hour gap skipped), plus the
        // embedded cluster's start and the drain; at full speed much less.
        #expect(paced.seconds >= 9.5, "paced replay took \(paced.seconds) s")
        #expect(paced.seconds < 60, "paced replay took \(paced.seconds) s")
        #expect(fast.seconds < paced.seconds - 4, "max \(fast.seconds) s, 60x \(paced.seconds) s")

        // The same alerts as at full speed, in the same order: they fire in the log's time.
        #expect(paced.alerts.map(\.line) == fast.alerts.map(\.line))
        let firing = { (rule: String) in paced.alerts.first { $0.line.contains("FIRING \(rule) ") } }
        let errors = try #require(firing("error_rate"), "\(paced.stderr)")
        let notFound = try #require(firing("not_found_surge"), "\(paced.stderr)")
        #expect(errors.line.hasPrefix("ALERT 2026-11-01T02:02:"))
        #expect(notFound.line.hasPrefix("ALERT 2026-11-01T02:06:"))
        // In order, and not before their time: the 404 surge starts six minutes into the log, so at 60x
        // its alert cannot come before six seconds of replay (a loaded machine only makes it later).
        #expect(errors.at < notFound.at, "error_rate at \(errors.at) s, not_found_surge at \(notFound.at) s")
        #expect(notFound.at >= 6, "not_found_surge at \(notFound.at) s: the replay ran ahead of the log's time")
        // error_rate fires about two minutes into the log: two seconds into the replay, not at the end.
        #expect(errors.at < paced.seconds - 3, "error_rate at \(errors.at) s of \(paced.seconds) s")

        #expect(paced.stderr.contains("logtop: replay skipped a gap of \(IncidentLog.gap) s of log time (2026-11-01T02:08:59Z to 2026-11-01T05:09:00Z)"),
                "\(paced.stderr)")
        #expect(!fast.stderr.contains("replay skipped"))
        // Every line counted, as at full speed.
        #expect(try Self.totalRequests(paced.json) == IncidentLog.lines)
        #expect(try Self.totalRequests(fast.json) == IncidentLog.lines)
    }

    @Test func aBadSpeedIsRefusedBeforeAnythingStarts() throws {
        let dir = try temporaryDirectory("replay")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try IncidentLog.write(in: dir)
        for bad in ["0", "-5", "fast", "nan"] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: try logtopBinary())
            p.arguments = ["--batch", "--source", "file:access.log", "--replay-speed=\(bad)"]
            p.currentDirectoryURL = URL(fileURLWithPath: dir)
            let err = Pipe()
            p.standardError = err
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(p.terminationStatus != 0, "--replay-speed \(bad) accepted")
            #expect(text.contains("--replay-speed \(bad): expected a speed such as 1, 10 or 60"), "\(text)")
            #expect(!text.contains("embedded Kafka broker"), "started before refusing: \(text)")
        }
        // A speed with nothing to pace is refused too, rather than ignored.
        for sources in [["--source", "generator"], ["--source", "file:access.log", "--follow"], ["--source", "stdin"]] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: try logtopBinary())
            p.arguments = ["--batch", "--replay-speed", "10"] + sources
            p.currentDirectoryURL = URL(fileURLWithPath: dir)
            let err = Pipe()
            p.standardError = err
            p.standardOutput = FileHandle.nullDevice
            p.standardInput = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(p.terminationStatus != 0, "--replay-speed with \(sources) accepted")
            #expect(text.contains("paces file:PATH sources read once"), "\(text)")
        }
    }
}
