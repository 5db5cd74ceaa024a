import Foundation
import LogtopTestSupport
import Testing

/// `--filter EXPR` through the real binary in batch mode: results.txt and the JSON count only the
/// matching requests (checked against counts made here from the lines written), the alert rules still
/// see all traffic, and a bad expression is refused with a caret under the problem, before anything runs.
@Suite(.serialized) struct FilterCommand {
    func scratch() throws -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("logtop-filter-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    func run(_ args: [String], in dir: String) throws -> (status: Int32, stderr: String) {
        let (p, collected) = try launchLogtop(args, in: dir)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        #expect(waitUntil(120) { !p.isRunning })
        #expect(waitUntil(5) { collected.finished })
        return (p.terminationStatus, collected.text)
    }

    static func total(_ json: String) throws -> [String: Any] {
        let line = try #require(json.split(separator: "\n").first { $0.hasPrefix("{\"type\":\"total\"") })
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    /// Lines of the incident log passing `keep`, counted on the raw text (no logtop parser).
    static func count(_ keep: (Substring) -> Bool) -> Int {
        IncidentLog.text.split(separator: "\n").filter(keep).count
    }

    @Test(.timeLimit(.minutes(5)))
    func resultsCountOnlyMatchingRequestsAndAlertsSeeAllTraffic() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try IncidentLog.write(in: dir)
        let cases: [(String, Int)] = [
            ("status:5xx", Self.count { $0.contains("\" 500 ") }),
            ("path:/missing", Self.count { $0.contains("GET /missing ") }),
            ("status:>=400 !client:10.0.1.0/24", Self.count { ($0.contains("\" 500 ") || $0.contains("\" 404 ")) && !$0.hasPrefix("10.0.1.") }),
            ("client:10.0.1.* method:get", Self.count { $0.hasPrefix("10.0.1.") }),
        ]
        #expect(cases.map(\.1) == [200, 900, 200, 900])  // the corpus is what it says
        for (expression, expected) in cases {
            let out = "r-\(expected)-\(cases.firstIndex { $0.0 == expression }!)"
            let (status, stderr) = try run(["--batch", "--source", "file:access.log", "--filter", expression,
                                            "--results", out + ".txt", "--results-json", out + ".jsonl"], in: dir)
            #expect(status == 0, "\(stderr)")
            let json = try String(contentsOfFile: dir + "/" + out + ".jsonl", encoding: .utf8)
            #expect(json.hasPrefix("{\"type\":\"filter\",\"expression\":"), "\(json.prefix(200))")
            let total = try Self.total(json)
            #expect(total["requests"] as? Int == expected, "\(expression): \(total["requests"] ?? "none")")
            let text = try String(contentsOfFile: dir + "/" + out + ".txt", encoding: .utf8)
            #expect(text.hasPrefix("filter: \(expression)  (only matching requests are counted; alerts see all traffic)\n"))
            // The alert rules saw all traffic: the error burst fires error_rate whatever the filter.
            #expect(stderr.contains("FIRING error_rate"), "\(expression): \(stderr)")
            #expect(stderr.contains("FIRING not_found_surge"), "\(expression): \(stderr)")
            let alerts = try #require(total["alerts"] as? [[String: Any]])
            #expect(alerts.contains { $0["rule"] as? String == "error_rate" && $0["state"] as? String == "firing" })
            // Every line was still analysed.
            #expect(stderr.contains("\(IncidentLog.lines) lines analysed"), "\(stderr)")
        }
    }

    @Test func aBadExpressionSaysWhereAndRunsNothing() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try IncidentLog.write(in: dir)
        let (status, stderr) = try run(["--batch", "--source", "file:access.log", "--filter", "status:5xx stat:4"], in: dir)
        #expect(status != 0)
        #expect(stderr.contains("--filter at column 12: unknown field 'stat'"), "\(stderr)")
        #expect(stderr.contains("  status:5xx stat:4\n             ^"), "\(stderr)")
        #expect(!stderr.contains("embedded Kafka broker"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/results.txt"))
        let (s2, e2) = try run(["--source", "file:access.log", "--filter", "status:5xx"], in: dir)
        #expect(s2 != 0)
        #expect(e2.contains("--filter applies to --batch"), "\(e2)")
    }
}
