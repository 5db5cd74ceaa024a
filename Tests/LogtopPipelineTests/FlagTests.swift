import Foundation
import LogtopTestSupport
import Testing

/// Flags driven through the real binary: each test fails if its flag is ignored.
@Suite(.serialized) struct FlagTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Runs logtop to its end in `dir` (no .env: a clean environment) and returns status and stderr.
    func logtop(_ args: [String], in dir: String, timeout: Double = 60) throws -> (Int32, String) {
        runTool([try logtopBinary()] + args, in: dir, environment: ["PATH": "/usr/bin:/bin", "HOME": dir], timeout: timeout)
    }

    func jsonRecords(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// A common-format line (no referrer, no agent), written by the test.
    static func commonLine(_ client: String, _ path: String, _ status: Int, second: Int) -> String {
        "\(client) - - [05/Dec/2026:10:00:\(String(format: "%02d", second)) +0000] \"GET \(path) HTTP/1.1\" \(status) 512"
    }

    /// With `--interval 5s` for 30 s of generated traffic, results.txt and the JSON hold one block per
    /// interval, contiguous, and every interval record has every key of the README's schema table, of
    /// its documented type.
    @Test(.timeLimit(.minutes(5))) func everyIntervalHasItsBlockWithTheDocumentedKeys() throws {
        let dir = try temporaryDirectory("flags")
        let (status, stderr) = try logtop(["--batch", "--interval", "5s", "--duration", "30s", "--rate", "100",
                                           "--results-json", "r.jsonl"], in: dir, timeout: 90)
        #expect(status == 0, "\(stderr)")
        let records = try jsonRecords(dir + "/r.jsonl")
        let intervals = records.filter { $0["type"] as? String == "interval" }
        #expect((5...7).contains(intervals.count), "\(intervals.count) intervals of 5 s in a 30 s run")
        let iso = ISO8601DateFormatter()
        let bounds = try intervals.map { r -> (Date, Date) in
            (try #require(iso.date(from: r["start"] as? String ?? "")), try #require(iso.date(from: r["end"] as? String ?? "")))
        }
        // Every interval is 5 s but the last, cut short by the end of the run.
        for (start, end) in bounds.dropLast() { #expect(end.timeIntervalSince(start) == 5) }
        #expect(bounds.last.map { $0.1.timeIntervalSince($0.0) } ?? 0 <= 5)
        for (a, b) in zip(bounds, bounds.dropFirst()) { #expect(a.1 == b.0, "contiguous: \(a.1) then \(b.0)") }
        let text = try String(contentsOfFile: dir + "/results.txt", encoding: .utf8)
        let blocks = text.components(separatedBy: "\n").filter { $0.hasPrefix("==== ") && !$0.contains("TOTAL") }
        #expect(blocks.count == intervals.count, "results.txt and the JSON hold the same intervals")
        #expect(records.contains { $0["type"] as? String == "total" } && records.last?["type"] as? String == "kafka")

        // The README's table: every key, in every interval record, of its type.
        let readme = try String(contentsOfFile: Self.root + "/README.md", encoding: .utf8)
        let table = try #require(readme.components(separatedBy: "### JSON Lines").dropFirst().first?
            .components(separatedBy: "\n## ").first)
        var documented: [String] = []
        for row in table.split(separator: "\n") where row.hasPrefix("| `") {
            let keysCell = row.split(separator: "|").first.map(String.init) ?? ""
            documented += keysCell.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " `")) }
        }
        #expect(documented.count >= 15, "the README's table was read: \(documented)")
        let isCount = { (v: Any?) in (v as? Int).map { $0 >= 0 } ?? false }
        let checks: [String: (Any?) -> Bool] = [
            "type": { ($0 as? String) == "interval" },
            "start": { iso.date(from: $0 as? String ?? "") != nil }, "end": { iso.date(from: $0 as? String ?? "") != nil },
            "requests": isCount, "bytes": isCount, "unique_clients": isCount, "malformed": isCount, "late": isCount,
            "status": { ($0 as? [String: Int]).map { !$0.isEmpty } ?? false },
            "classes": { ($0 as? [String: Int]).map { Set($0.keys) == ["1xx", "2xx", "3xx", "4xx", "5xx"] } ?? false },
            "error_rate": { ($0 as? Double).map { (0...1).contains($0) } ?? false },
            "avg_rps": { $0 is Double || $0 is Int }, "peak_rps": { $0 is Double || $0 is Int },
            "top_paths": { ($0 as? [[String: Any]]).map { $0.count == 5 && $0.allSatisfy { $0["path"] is String && $0["count"] is Int && isCount($0["error"]) } } ?? false },
            "top_clients": { ($0 as? [[String: Any]]).map { $0.count == 5 && $0.allSatisfy { $0["client"] is String && $0["count"] is Int && isCount($0["error"]) } } ?? false },
            "top_referrers": { ($0 as? [[String: Any]]).map { (1...5).contains($0.count) && $0.allSatisfy { $0["referrer"] is String && $0["count"] is Int && isCount($0["error"]) } } ?? false },
            "top_user_agents": { ($0 as? [[String: Any]]).map { (1...5).contains($0.count) && $0.allSatisfy { $0["user_agent"] is String && $0["count"] is Int && isCount($0["error"]) } } ?? false },
            "exact": { ($0 as? [String: Bool]).map { Set($0.keys) == ["top_paths", "top_clients", "top_referrers", "top_user_agents"] } ?? false },
            "late_for": { ($0 as? [[String: Any]]).map { $0.allSatisfy { isCount($0["count"]) } } ?? false },
            "lateness_s": { ($0 as? [String: Int]).map { Set($0.keys) == ["max", "p99", "allowed"] } ?? false },
            "latency_ms": { v in v is NSNull || ((v as? [String: Any]).map { Set($0.keys) == ["p50", "p95", "p99"] } ?? false) },
            "alerts": { $0 is [Any] },
        ]
        for key in documented {
            let check = try #require(checks[key], "the README documents `\(key)`: add its type check here")
            for r in intervals { #expect(check(r[key]), "\(key) = \(String(describing: r[key]))") }
        }
        for r in intervals {
            let extra = Set(r.keys).subtracting(documented)
            #expect(extra.isEmpty, "keys the README's table does not document: \(extra)")
        }
    }

    /// Same seed, same lines; another seed, other lines.
    @Test func seedMakesTheGeneratorReproducible() throws {
        let dir = try temporaryDirectory("flags")
        let run = { (seed: String) throws -> String in
            try self.logtop(["generate", "--stdout", "--no-pace", "--count", "200", "--seed", seed], in: dir).1
        }
        let a = try run("7"), b = try run("7"), c = try run("8")
        #expect(a.split(separator: "\n").count == 200)
        // The timestamps come from the clock: compare the lines without them.
        let strip = { (t: String) in t.replacingOccurrences(of: #"\[[^\]]*\]"#, with: "[]", options: .regularExpression) }
        #expect(strip(a) == strip(b))
        #expect(strip(a) != strip(c))
    }

    /// `--format` decides how lines are read; `--keep-query` keeps query strings in paths.
    @Test func formatAndKeepQueryChangeWhatIsCounted() throws {
        let dir = try temporaryDirectory("flags")
        let lines = (0..<30).map { Self.commonLine("10.0.0.\($0 % 3)", $0 % 2 == 0 ? "/a?x=\($0)" : "/b", 200, second: $0) }
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/access.log", atomically: true, encoding: .utf8)
        func total(_ extra: [String]) throws -> [String: Any] {
            let (status, stderr) = try logtop(["--batch", "--source", "file:access.log", "--results-json", "r.jsonl"] + extra, in: dir)
            #expect(status == 0, "\(stderr)")
            defer { try? FileManager.default.removeItem(atPath: dir + "/r.jsonl") }
            return try #require(try jsonRecords(dir + "/r.jsonl").first { $0["type"] as? String == "total" })
        }
        let auto = try total([])
        #expect(auto["requests"] as? Int == 30 && auto["malformed"] as? Int == 0)
        let paths = (auto["top_paths"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
        #expect(paths.first == "/a" && paths.contains("/b"), "queries stripped by default: \(paths)")
        let json = try total(["--format", "nginx-json"])
        #expect(json["requests"] as? Int == 0 && json["malformed"] as? Int == 30, "common lines are not nginx JSON")
        let common = try total(["--format", "common"])
        #expect(common["requests"] as? Int == 30)
        let kept = try total(["--keep-query"])
        let keptPaths = (kept["top_paths"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
        #expect(keptPaths.contains("/a?x=0") && !keptPaths.contains("/a"), "\(keptPaths)")
        let (bad, said) = try logtop(["--batch", "--format", "apache"], in: dir)
        #expect(bad != 0 && said.contains("--format apache"))
    }

    /// `--env-file` is read (and a missing one is an error); without it, ./.env is.
    @Test func envFileIsTheOneRead() throws {
        let dir = try temporaryDirectory("flags")
        try "KAFKA_BOOTSTRAP_SERVERS=kafka.example:9092\n".write(toFile: dir + "/other.env", atomically: true, encoding: .utf8)
        let (status, out) = try logtop(["--show-config", "--env-file", "other.env"], in: dir)
        #expect(status == 0 && out.contains("kafka.example:9092"), "\(out)")
        let (plain, embedded) = try logtop(["--show-config"], in: dir)
        #expect(plain == 0 && !embedded.contains("kafka.example"), "other.env is read only when named")
        let (missing, said) = try logtop(["--show-config", "--env-file", "nowhere.env"], in: dir)
        #expect(missing != 0 && said.contains("nowhere.env"))
    }
}

/// Several processes on one `logtop broker`: `--topic`, `--group`, `--alerts-topic`, `--view local`
/// and `--no-publish-alerts` each change what a run reads or writes.
@Suite(.serialized) struct SharedBrokerFlagTests {
    @Test(.timeLimit(.minutes(5))) func topicGroupViewAndAlertsTopicAreTheOnesUsed() throws {
        let flags = FlagTests()
        let dir = try temporaryDirectory("flags")
        let broker = try DevelopmentBroker(["--topic", "weblogs", "--alerts-topic", "myalerts", "--partitions", "4"], in: dir)
        let address = broker.address
        let kafka = broker.clientArguments

        // 12 s of traffic with a flooding client, into `weblogs` only.
        let (generated, genSaid) = try flags.logtop(["generate"] + kafka + ["--topic", "weblogs", "--rate", "500", "--count", "6000",
                                                                          "--scenario", "flood"], in: dir)
        #expect(generated == 0 && genSaid.contains("6000 produced, 6000 delivered, 0 failed"), "\(genSaid)")

        func view(_ extra: [String]) throws -> [String: Any] {
            let json = dir + "/v.jsonl"
            try? FileManager.default.removeItem(atPath: json)
            let (status, stderr) = try flags.logtop(["--batch", "--source", "none", "--duration", "10s", "--results", "v.txt",
                                                     "--results-json", "v.jsonl"] + kafka + extra, in: dir)
            #expect(status == 0, "\(stderr)")
            let records = try flags.jsonRecords(json)
            var out = try #require(records.first { $0["type"] as? String == "total" })
            out["kafka"] = records.last
            return out
        }
        // A local view of `weblogs` in group g1 analyses all of it, and publishes its alerts to `myalerts`.
        let first = try view(["--view", "local", "--topic", "weblogs", "--group", "g1", "--alerts-topic", "myalerts"])
        #expect(first["requests"] as? Int == 6000)
        let published = ((first["kafka"] as? [String: Any])?["alerts_published"] as? Int) ?? 0
        #expect(published > 0, "the flood fires client_flood: \(String(describing: first["kafka"]))")
        let kcat = try requireTool("kcat", package: "kcat")
        let (_, onTopic) = runTool([kcat, "-b", address, "-t", "myalerts", "-C", "-o", "beginning", "-e", "-q"], stderr: false, timeout: 20)
        #expect(onTopic.contains("\"rule\":\"client_flood\""), "the alerts are on myalerts: \(onTopic)")
        let (_, defaultTopic) = runTool([kcat, "-b", address, "-t", "alerts", "-C", "-o", "beginning", "-e", "-q"], stderr: false, timeout: 20)
        #expect(defaultTopic.isEmpty, "nothing was written to the default alerts topic: \(defaultTopic)")
        // g1 has committed everything: the same group has nothing left.
        let again = try view(["--view", "local", "--topic", "weblogs", "--group", "g1", "--alerts-topic", "myalerts"])
        #expect(again["requests"] as? Int == 0)
        // Another group reads it all again; without publishing, nothing more reaches myalerts.
        let second = try view(["--view", "local", "--topic", "weblogs", "--group", "g2", "--alerts-topic", "myalerts",
                               "--no-publish-alerts"])
        #expect(second["requests"] as? Int == 6000)
        #expect(((second["kafka"] as? [String: Any])?["alerts_published"] as? Int) == 0)
        let (_, after) = runTool([kcat, "-b", address, "-t", "myalerts", "-C", "-o", "beginning", "-e", "-q"], stderr: false, timeout: 20)
        #expect(after.split(separator: "\n").count == onTopic.split(separator: "\n").count)
        // The default topic `logs` holds nothing, and the default view (merged) does not read `weblogs`.
        let merged = try view(["--topic", "weblogs", "--group", "g3"])
        #expect(merged["requests"] as? Int == 0)
    }
}
