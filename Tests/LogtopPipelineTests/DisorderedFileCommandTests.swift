import Foundation
import LogtopTestSupport
import Testing

/// `logtop --batch --source file:…` on realistic disordered logs (see `DisorderedLogCorpus`), with the
/// defaults a user gets: every minute block of results.txt and of the JSON holds exactly the requests,
/// status codes and top lists the test counts from the generated values, nothing is late, and the
/// lists are exact.
@Suite(.serialized) struct DisorderedFileCommand {
    @Test(arguments: DisorderedLogCorpus.Disorder.allCases)
    func everyMinuteBlockEqualsTheIndependentCount(_ disorder: DisorderedLogCorpus.Disorder) throws {
        let binary = try logtopBinary()
        let corpus = DisorderedLogCorpus(disorder)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("logtop-disorder-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try corpus.text.write(toFile: dir + "/access.log", atomically: true, encoding: .utf8)

        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["--batch", "--source", "file:access.log", "--results-json", "r.jsonl"]
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        p.standardOutput = FileHandle.nullDevice
        let err = Pipe()
        p.standardError = err
        try p.run()
        let collected = TextCollector(err.fileHandleForReading)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        #expect(waitUntil(120) { !p.isRunning })
        #expect(p.terminationStatus == 0, "\(collected.text)")

        let expected = corpus.perMinute
        let lateness = corpus.latenessPerMinute
        let objects = try String(contentsOfFile: dir + "/r.jsonl", encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let intervals = objects.filter { $0["type"] as? String == "interval" }
        #expect(intervals.compactMap { $0["start"] as? String } == expected.keys.sorted().map(DisorderedLogCorpus.iso8601))
        for o in intervals {
            let start = try #require(o["start"] as? String)
            guard let minute = expected.keys.first(where: { DisorderedLogCorpus.iso8601($0) == start }) else { continue }
            Self.expect(o, expected[minute]!, start)
            let l = try #require(o["lateness_s"] as? [String: Any])
            #expect(l["max"] as? Int == Int(lateness[minute]!.max) && l["p99"] as? Int == Int(lateness[minute]!.p99), "\(start)")
        }
        let total = try #require(objects.first { $0["type"] as? String == "total" })
        Self.expect(total, corpus.total, "TOTAL")
        let l = try #require(total["lateness_s"] as? [String: Any])
        #expect(l["max"] as? Int == Int(corpus.lateness.max) && l["allowed"] as? Int == 3_600)

        // results.txt: one block per minute, its request count, nothing late, no (±N).
        let text = try String(contentsOfFile: dir + "/results.txt", encoding: .utf8)
        for (minute, f) in expected {
            let header = "==== \(DisorderedLogCorpus.iso8601(minute)) .. "
            let block = try #require(text.components(separatedBy: header).dropFirst().first, "\(header)")
            #expect(block.contains("\nrequests        \(f.requests)   avg"), "\(header)")
            #expect(block.contains("\nlate            0\n"), "\(header)")
        }
        #expect(!text.contains("(±"))
        #expect(collected.text.contains(" 0 late)"), "\(collected.text)")
    }

    /// `--lateness 5s` on a file: report intervals are written 5 s after their end, so requests logged
    /// minutes late are late: in the TOTAL, counted in the block open when they came, with the
    /// intervals they missed named; nothing lost.
    @Test func latenessGivenHoldsForTheReportsOfAFile() throws {
        let binary = try logtopBinary()
        let corpus = DisorderedLogCorpus(.longRequests)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("logtop-lateness-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try corpus.text.write(toFile: dir + "/access.log", atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["--batch", "--source", "file:access.log", "--lateness", "5s", "--results-json", "r.jsonl"]
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        #expect(waitUntil(120) { !p.isRunning })
        #expect(p.terminationStatus == 0)
        let objects = try String(contentsOfFile: dir + "/r.jsonl", encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let intervals = objects.filter { $0["type"] as? String == "interval" }
        let total = try #require(objects.first { $0["type"] as? String == "total" })
        let late = try #require(total["late"] as? Int)
        #expect(late > 0)
        #expect(total["requests"] as? Int == corpus.requests.count)
        #expect(intervals.reduce(0) { $0 + ($1["requests"] as? Int ?? 0) } == corpus.requests.count - late)
        #expect(intervals.reduce(0) { $0 + ($1["late"] as? Int ?? 0) } == late)
        let missed = (total["late_for"] as? [[String: Any]]) ?? []
        #expect(missed.reduce(0) { $0 + ($1["count"] as? Int ?? 0) } == late)
        #expect((total["lateness_s"] as? [String: Int])?["allowed"] == 5)
    }

    /// One JSON interval (or the total) against the independent count.
    static func expect(_ o: [String: Any], _ f: DisorderedLogCorpus.Figures, _ what: String) {
        #expect(o["requests"] as? Int == f.requests, "\(what)")
        #expect(o["bytes"] as? Int == f.bytes, "\(what)")
        let status = (o["status"] as? [String: Int]) ?? [:]
        #expect(status == Dictionary(uniqueKeysWithValues: f.status.map { (String($0.key), $0.value) }), "\(what)")
        #expect(o["late"] as? Int == 0 && (o["late_for"] as? [Any])?.isEmpty == true, "\(what)")
        let exact = (o["exact"] as? [String: Bool]) ?? [:]
        #expect(exact == ["top_paths": true, "top_clients": true, "top_referrers": true, "top_user_agents": true], "\(what)")
        for (list, name, counts) in [("top_paths", "path", f.paths), ("top_clients", "client", f.clients),
                                     ("top_referrers", "referrer", f.referrers), ("top_user_agents", "user_agent", f.agents)] {
            let got = (o[list] as? [[String: Any]]) ?? []
            let want = DisorderedLogCorpus.Figures.top(counts, 5)
            #expect(got.compactMap { $0[name] as? String } == want.map(\.key), "\(what) \(list)")
            #expect(got.compactMap { $0["count"] as? Int } == want.map(\.count), "\(what) \(list)")
            #expect(got.allSatisfy { $0["error"] as? Int == 0 }, "\(what) \(list)")
        }
    }
}
