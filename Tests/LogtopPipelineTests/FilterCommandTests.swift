import Foundation
import LogtopTestSupport
import Testing

/// `--filter EXPR` through the real binary in batch mode: results.txt and the JSON count only the
/// matching requests (checked against counts made here from the lines written), the alert rules still
/// see all traffic, and a bad expression is refused with a caret under the problem, before anything runs.
@Suite(.serialized) struct FilterCommand {
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
        let dir = try temporaryDirectory("filter")
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

    /// IPv6 blocks (`client:2001:db8::/32`…) through the binary on a log of IPv6 and IPv4 clients; the
    /// expected counts come from glibc's `inet_pton` here, not from logtop's parser.
    @Test(.timeLimit(.minutes(5)))
    func ipv6BlocksCountTheClientsInThem() throws {
        let dir = try temporaryDirectory("filter")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clients = ["2001:db8::1", "2001:db8:0:1::42", "2001:DB8:FFFF::7", "2001:0db8:0000:0000:0000:0000:0000:0009",
                       "2001:db9::1", "::1", "fe80::1", "febf:ffff::2", "fec0::3", "::ffff:10.1.2.3", "::ffff:11.0.0.1",
                       "10.1.2.3", "192.0.2.9"]
        // Client i has i + 1 lines, so a wrong set of clients gives a wrong total.
        var log: [(client: String, line: String)] = []
        for (i, client) in clients.enumerated() {
            for n in 0...i {
                let stamp = "01/Nov/2026:02:00:\(n < 10 ? "0" : "")\(n)"
                log.append((client, "\(client) - - [\(stamp) +0000] \"GET /page/\(i) HTTP/1.1\" 200 100 \"-\" \"curl/8\""))
            }
        }
        try (log.map(\.line).joined(separator: "\n") + "\n").write(toFile: dir + "/access.log", atomically: true, encoding: .utf8)

        /// Whether `client`'s first `bits` bits are `network`'s, both parsed by inet_pton in `family`.
        func inBlock(_ client: String, _ network: String, _ bits: Int, family: Int32) -> Bool {
            var a = [UInt8](repeating: 0, count: 16), b = a
            guard inet_pton(family, client, &a) == 1, inet_pton(family, network, &b) == 1 else { return false }
            return (0..<bits).allSatisfy { bit in (a[bit / 8] ^ b[bit / 8]) & (0x80 >> UInt8(bit % 8)) == 0 }
        }
        func count(_ keep: (String) -> Bool) -> Int { log.filter { keep($0.client) }.count }
        let cases: [(String, Int)] = [
            ("client:2001:db8::/32", count { inBlock($0, "2001:db8::", 32, family: AF_INET6) }),
            ("client:::1/128", count { inBlock($0, "::1", 128, family: AF_INET6) }),
            ("client:FE80::/10", count { inBlock($0, "fe80::", 10, family: AF_INET6) }),
            ("client:::ffff:10.0.0.0/104", count { inBlock($0, "::ffff:10.0.0.0", 104, family: AF_INET6) }),
            ("!client:2001:db8::/32 client:::/0", count { !inBlock($0, "2001:db8::", 32, family: AF_INET6) && inBlock($0, "::", 0, family: AF_INET6) }),
            ("client:10.0.0.0/8", count { inBlock($0, "10.0.0.0", 8, family: AF_INET) }),
        ]
        #expect(cases.map(\.1) == [1 + 2 + 3 + 4, 6, 7 + 8, 10, 5 + 6 + 7 + 8 + 9 + 10 + 11, 12])  // the oracle is sane
        for (n, (expression, expected)) in cases.enumerated() {
            let (status, stderr) = try run(["--batch", "--source", "file:access.log", "--filter", expression,
                                            "--results", "r\(n).txt", "--results-json", "r\(n).jsonl"], in: dir)
            #expect(status == 0, "\(stderr)")
            let json = try String(contentsOfFile: dir + "/r\(n).jsonl", encoding: .utf8)
            let total = try Self.total(json)
            #expect(total["requests"] as? Int == expected, "\(expression): \(total["requests"] ?? "none")")
            #expect(stderr.contains("\(log.count) lines analysed"), "\(stderr)")
        }
        // A bad block is refused with its column, before anything runs.
        let (status, stderr) = try run(["--batch", "--source", "file:access.log", "--filter", "client:2001:db8::/129",
                                        "--results", "bad.txt"], in: dir)
        #expect(status != 0)
        #expect(stderr.contains("--filter at column 19: expected a prefix length from 0 to 128 after '/'"), "\(stderr)")
        #expect(stderr.contains("  client:2001:db8::/129\n                    ^"), "\(stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/bad.txt"))
    }

    @Test func aBadExpressionSaysWhereAndRunsNothing() throws {
        let dir = try temporaryDirectory("filter")
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
