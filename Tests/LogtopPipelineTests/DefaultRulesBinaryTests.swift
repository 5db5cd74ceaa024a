import LogtopTestSupport
import Foundation
import LogtopCore
import Testing

/// The default alert rules as a user gets them: the real `logtop` binary, its own generator.
@Suite struct DefaultRulesThroughTheBinary {
    /// `logtop --batch --rate 2000 --scenario flood`: at 2,000 lines/s normal traffic used to fire
    /// `client_flood`, `not_found_surge` and `rate_high` with the old absolute defaults; now only the
    /// flood's own rule fires, naming the flooder, as a share of the requests.
    @Test(.timeLimit(.minutes(5))) func floodAtTwoThousandLinesFiresOnlyClientFlood() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("logtop-rules-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let (p, collected) = try launchLogtop(["--batch", "--rate", "2000", "--seed", "5", "--scenario", "flood",
                                              "--duration", "30s", "--results-json", "r.jsonl"], in: dir)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        #expect(waitUntil(100) { !p.isRunning })
        #expect(p.terminationStatus == 0)
        #expect(waitUntil(5) { collected.finished })
        let json = try String(contentsOfFile: dir + "/r.jsonl", encoding: .utf8)
        let total = try #require(json.split(separator: "\n").first { $0.hasPrefix("{\"type\":\"total\"") })
        let rules = Set(total.split(separator: "\"rule\":\"").dropFirst().map { $0.prefix { $0 != "\"" } })
        #expect(rules == ["client_flood"], "alerts: \(collected.text)")
        let flooder = TrafficModel(seed: 5).floodClient
        #expect(total.contains("\"offender\":\"\(flooder)\"") && total.contains("\"unit\":\"%\"") && total.contains("\"threshold\":30"))
        #expect(collected.text.contains("FIRING client_flood"))
    }
}
