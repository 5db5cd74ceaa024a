import Foundation
import LogtopTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `--metrics-listen`: the real binary scraped over HTTP, its exposition validated by prometheus_client's
/// parsers (`scripts/check-metrics.py`; Debian `python3-prometheus-client`), its values checked against
/// counts the test makes itself and against results.txt's TOTAL of the same run.
@Suite(.serialized) struct MetricsEndpointTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// prometheus_client is not installed: the test fails naming the Debian package.
    struct MissingParser: Error, CustomStringConvertible { let description: String }

    /// A parsed scrape: family → samples, from the parser's JSON.
    struct Scrape {
        struct Sample { let name: String; let labels: [String: String]; let value: Double? }
        struct Family { let name: String; let type: String; let help: String; let samples: [Sample] }
        let families: [Family]
        let contentType: String
        let body: String

        func samples(_ name: String) -> [Sample] { families.flatMap(\.samples).filter { $0.name == name } }
        func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
            samples(name).first { s in labels.allSatisfy { s.labels[$0.key] == $0.value } }?.value
        }
        func sum(_ name: String) -> Double { samples(name).compactMap(\.value).reduce(0, +) }
        var sampleNames: Set<String> { Set(families.flatMap(\.samples).map(\.name)) }
    }

    func launch(_ args: [String], in dir: String) throws -> (Process, TextCollector) {
        try launchLogtop(args, in: dir, environment: ["PATH": "/usr/bin:/bin", "HOME": dir])
    }

    /// Runs `scripts/check-metrics.py FORMAT` on `body`: the parsed families, or an error with the parser's message.
    static func parse(_ body: String, openMetrics: Bool) throws -> [Scrape.Family] {
        let python = try requireTool("python3", package: "python3")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [root + "/scripts/check-metrics.py", openMetrics ? "openmetrics" : "text"]
        let input = Pipe(), output = Pipe(), err = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = err
        try p.run()
        let collected = TextCollector(output.fileHandleForReading)
        let errors = TextCollector(err.fileHandleForReading)
        input.fileHandleForWriting.write(Data(body.utf8))
        try input.fileHandleForWriting.close()
        p.waitUntilExit()
        _ = waitUntil(5) { collected.finished && errors.finished }
        if p.terminationStatus == 2 { throw MissingParser(description: "\(errors.text) (scripts/setup.sh installs it)") }
        try #require(p.terminationStatus == 0, "the parser refused the exposition: \(errors.text)\n\(body)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(collected.text.utf8)) as? [String: Any])
        return (json["families"] as? [[String: Any]] ?? []).map { f in
            Scrape.Family(name: f["name"] as? String ?? "", type: f["type"] as? String ?? "", help: f["help"] as? String ?? "",
                          samples: (f["samples"] as? [[String: Any]] ?? []).map {
                              Scrape.Sample(name: $0["name"] as? String ?? "", labels: $0["labels"] as? [String: String] ?? [:],
                                            value: ($0["value"] as? NSNumber)?.doubleValue)
                          })
        }
    }

    /// GET /metrics on 127.0.0.1:`port`, parsed; nil when nothing answered.
    static func scrape(_ port: Int, openMetrics: Bool = false) throws -> Scrape? {
        let accept = openMetrics ? "Accept: application/openmetrics-text; version=1.0.0,text/plain;q=0.5\r\n" : ""
        guard let answer = httpExchange(port: port, "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\(accept)\r\n"),
              let split = answer.range(of: "\r\n\r\n") else { return nil }
        let head = String(answer[..<split.lowerBound]), body = String(answer[split.upperBound...])
        guard head.hasPrefix("HTTP/1.1 200") else { return nil }
        let type = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-type:") }.map(String.init) ?? ""
        return Scrape(families: try parse(body, openMetrics: openMetrics), contentType: type, body: body)
    }

    /// Sends `request` raw to 127.0.0.1:`port` and returns all that was answered (nil: no connection).
    static func httpExchange(port: Int, _ request: String, timeout: Int = 10) -> String? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            sent += n
        }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    static let statusCycle = [200, 200, 200, 404, 500, 301, 200, 503]

    /// `count` combined-format lines with a request time, 6 per second from 10:00:00 (at most 14 hours' worth), and
    /// the figures the test expects of them.
    static let methodCycle = ["GET", "GET", "POST", "HEAD", "PUT", "GET", "DELETE", "PROPFIND", "GET", "OPTIONS", "PATCH"]

    static func corpus(_ count: Int) -> (text: String, status: [Int: Int], bytes: Int, methods: [String: Int]) {
        var text = "", status: [Int: Int] = [:], bytes = 0, methods: [String: Int] = [:]
        for i in 0..<count {
            let s = statusCycle[i % statusCycle.count], b = 100 + i * 3, second = i / 6
            text += "10.2.\(i % 5).\(i % 11) - - [05/Dec/2026:\(String(format: "%02d:%02d:%02d", 10 + second / 3600, second / 60 % 60, second % 60)) +0000] "
                + "\"\(methodCycle[i % methodCycle.count]) /m\(i % 4) HTTP/1.1\" \(s) \(b) \"-\" \"probe\" 0.\(String(format: "%03d", i % 900))\n"
            status[s, default: 0] += 1
            bytes += b
            let m = methodCycle[i % methodCycle.count]
            methods[m == "PROPFIND" ? "other" : m, default: 0] += 1
        }
        return (text, status, bytes, methods)
    }

    /// A run scraped while it follows a file: both formats parse, every family has HELP and TYPE, counters
    /// end in `_total`, labels are bounded, the figures equal the test's own count of the file, and at the
    /// end of the run results.txt's TOTAL (and its Kafka line) equals the last scrape. The Grafana
    /// dashboard queries only metrics the scrape has.
    @Test(.timeLimit(.minutes(5))) func scrapeParsesAndMatchesResults() throws {
        let dir = try temporaryDirectory()
        let (text, status, bytes, methods) = Self.corpus(600)
        let malformed = 5
        try (text + (0..<malformed).map { "not an access log line \($0)\n" }.joined()).write(toFile: dir + "/access.log", atomically: true, encoding: .utf8)
        let port = freePort()
        let (run, err) = try launch(["--batch", "--source", "file:access.log", "--follow", "--from-start",
                                     "--metrics-listen", "127.0.0.1:\(port)", "--results-json", "r.jsonl"], in: dir)
        defer { if run.isRunning { run.terminate() } }
        var last: Scrape?
        let complete = waitUntil(90) {
            last = try? Self.scrape(port)
            return last.map { $0.sum("logtop_http_requests_total") == 600 && $0.value("logtop_malformed_lines_total") == Double(malformed) } ?? false
        }
        #expect(complete, "scrape never showed every line: \(last?.body ?? "nothing") \(err.text)")
        let s = try #require(last)
        #expect(s.contentType.contains("text/plain; version=0.0.4"), "\(s.contentType)")
        for f in s.families {
            #expect(!f.help.isEmpty && ["counter", "gauge", "histogram"].contains(f.type), "\(f.name)")
            if f.type == "counter" { #expect(f.samples.allSatisfy { $0.name.hasSuffix("_total") }, "\(f.name)") }
            for sample in f.samples {
                #expect(Set(sample.labels.keys).isSubset(of: ["code", "class", "method", "le", "quantile", "rule", "reason", "source", "state", "member"]),
                        "\(sample.name) \(sample.labels): no label per path or client")
            }
        }
        for (code, n) in status {
            #expect(s.value("logtop_http_requests_total", ["code": String(code)]) == Double(n), "status \(code)")
            #expect(s.samples("logtop_http_requests_total").first { $0.labels["code"] == String(code) }?.labels["class"] == "\(code / 100)xx")
        }
        #expect(s.value("logtop_http_response_bytes_total") == Double(bytes))
        for (m, n) in methods { #expect(s.value("logtop_http_requests_by_method_total", ["method": m]) == Double(n), "\(m)") }
        #expect(s.value("logtop_http_requests_by_method_total", ["method": "CONNECT"]) == 0)
        #expect(s.sum("logtop_http_requests_by_method_total") == 600)
        #expect(s.value("logtop_http_request_duration_seconds_count") == 600)
        #expect(s.value("logtop_http_request_duration_seconds_bucket", ["le": "+Inf"]) == 600)
        // Request times are 0.000...0.599 s, one per line: 0.1 s and below holds 101 of each 900-cycle (i % 900 <= 100).
        #expect(s.value("logtop_http_request_duration_seconds_bucket", ["le": "0.1"]) == 101)
        #expect(s.value("logtop_kafka_produced_records_total") == 605)
        #expect(s.value("logtop_source_lines_total", ["source": "file:access.log"]) == 605)
        #expect(s.value("logtop_source_state", ["source": "file:access.log", "state": "following"]) == 1)
        #expect(s.value("logtop_alert_threshold", ["rule": "error_rate"]) != nil)
        #expect(!s.body.contains("127.0.0.1:"), "no broker address in the metrics")

        let om = try #require(try Self.scrape(port, openMetrics: true))
        #expect(om.contentType.contains("application/openmetrics-text"), "\(om.contentType)")
        #expect(om.body.hasSuffix("# EOF\n"))
        #expect(om.sum("logtop_http_requests_total") == 600)

        // The Grafana dashboard's queries name only metrics of a real scrape.
        let dashboard = try String(contentsOfFile: Self.root + "/docs/grafana/logtop.json", encoding: .utf8)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(dashboard.utf8)) as? [String: Any])
        #expect(!(object["panels"] as? [Any] ?? []).isEmpty)
        let queried = Set(dashboard.matches(of: /logtop_[a-z0-9_]+/).map { String($0.output) })
        #expect(queried.count >= 10, "\(queried)")
        // (The merged view's families are checked in MetricsExpositionTests: a local run has none.)
        for name in queried where !name.hasPrefix("logtop_merge_") {
            #expect(s.sampleNames.contains(name), "the dashboard queries \(name), which no scrape has")
        }

        kill(run.processIdentifier, SIGTERM)
        #expect(waitUntil(60) { !run.isRunning })
        #expect(run.terminationStatus == 0, "\(err.text)")
        let json = try String(contentsOfFile: dir + "/r.jsonl", encoding: .utf8).split(separator: "\n")
        let total = try #require(try json.last { $0.contains("\"type\":\"total\"") }.map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        let kafka = try #require(try json.last { $0.contains("\"type\":\"kafka\"") }.map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        #expect((total?["requests"] as? Int).map(Double.init) == s.sum("logtop_http_requests_total"))
        #expect((total?["bytes"] as? Int).map(Double.init) == s.value("logtop_http_response_bytes_total"))
        #expect((total?["malformed"] as? Int).map(Double.init) == s.value("logtop_malformed_lines_total"))
        #expect((total?["late"] as? Int).map(Double.init) == s.value("logtop_late_lines_total"))
        let totalStatus = total?["status"] as? [String: Int] ?? [:]
        #expect(totalStatus.count == status.count)
        for (code, n) in totalStatus { #expect(s.value("logtop_http_requests_total", ["code": code]) == Double(n), "status \(code)") }
        #expect((kafka?["lost"] as? Int).map(Double.init) == s.value("logtop_kafka_lost_lines_total"))
    }

    /// A bad address and a busy port stop logtop at start with a clear message; other paths, other
    /// methods and oversized or silent requests are refused without stopping the endpoint.
    @Test(.timeLimit(.minutes(5))) func badAddressBusyPortAndBadRequests() throws {
        let dir = try temporaryDirectory()
        let (status, stderr) = runTool([try logtopBinary(), "--batch", "--metrics-listen", "localhost", "--duration", "2s"], in: dir,
                                       environment: ["PATH": "/usr/bin:/bin", "HOME": dir], timeout: 60)
        #expect(status != 0 && stderr.contains("--metrics-listen localhost: expected HOST:PORT"), "\(stderr)")

        let port = freePort()
        let (holder, holderErr) = try launch(["--batch", "--rate", "50", "--metrics-listen", "127.0.0.1:\(port)"], in: dir)
        defer { if holder.isRunning { holder.terminate() } }
        #expect(waitUntil(60) { (try? Self.scrape(port)) != nil }, "\(holderErr.text)")
        let started = Date()
        let (busy, busyErr) = runTool([try logtopBinary(), "--batch", "--metrics-listen", "127.0.0.1:\(port)", "--duration", "30s"], in: dir,
                                      environment: ["PATH": "/usr/bin:/bin", "HOME": dir], timeout: 60)
        #expect(busy != 0 && busyErr.contains("cannot listen") && busyErr.contains("Address already in use"), "\(busyErr)")
        #expect(Date().timeIntervalSince(started) < 20, "the busy port is found at start, not after the run")

        #expect(Self.httpExchange(port: port, "GET / HTTP/1.1\r\n\r\n")?.hasPrefix("HTTP/1.1 404") == true)
        #expect(Self.httpExchange(port: port, "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n")?.hasPrefix("HTTP/1.1 405") == true)
        #expect(Self.httpExchange(port: port, "garbage\r\n\r\n")?.hasPrefix("HTTP/1.1 400") == true)
        _ = Self.httpExchange(port: port, "GET /metrics HTTP/1.1\r\nX-Big: " + String(repeating: "a", count: 100_000) + "\r\n\r\n")
        // A client that connects and says nothing is dropped after the read timeout.
        let silent = Self.httpExchange(port: port, "", timeout: 10)
        #expect(silent == "", "a silent client gets no answer, and is let go")
        #expect(try Self.scrape(port) != nil, "the endpoint still answers")
        #expect(holder.isRunning)
        kill(holder.processIdentifier, SIGTERM)
        #expect(waitUntil(60) { !holder.isRunning })
        #expect(holder.terminationStatus == 0, "\(holderErr.text)")
    }

    /// A scraper hammering /metrics (a bounded loop on loopback, from before the first line is analysed
    /// until the run is complete and at least 3,000 scrapes were answered): the process keeps running,
    /// answers every scrape, its line counter never goes back, and its figures end exact. The server
    /// thread runs below the analysis (nice 10, the analyzer and the sources at 0). (The analyzer's
    /// throughput under such a scraper is measured in docs/benchmarks.md, not asserted here.)
    @Test(.timeLimit(.minutes(5))) func hammeringScraperKeepsTheRunExact() throws {
        let dir = try temporaryDirectory()
        let lines = 30_000
        let (text, status, _, _) = Self.corpus(lines)
        try text.write(toFile: dir + "/access.log", atomically: true, encoding: .utf8)
        let port = freePort()
        let (run, err) = try launch(["--batch", "--source", "file:access.log", "--follow", "--from-start",
                                     "--metrics-listen", "127.0.0.1:\(port)", "--results-json", "r.jsonl"], in: dir)
        defer { if run.isRunning { run.terminate() } }
        #expect(waitUntil(60) { Self.httpExchange(port: port, "GET /metrics HTTP/1.1\r\n\r\n")?.hasPrefix("HTTP/1.1 200") == true })
        var attempts = 0, answered = 0
        var analysed: [Double] = []
        let deadline = Date().addingTimeInterval(150)
        while run.isRunning, Date() < deadline, answered < 3_000 || analysed.last != Double(lines) {
            attempts += 1
            guard let answer = Self.httpExchange(port: port, "GET /metrics HTTP/1.1\r\n\r\n"), answer.hasPrefix("HTTP/1.1 200") else { continue }
            answered += 1
            if let line = answer.split(separator: "\n").first(where: { $0.hasPrefix("logtop_analyzed_lines_total ") }),
               let v = Double(line.split(separator: " ").last ?? "") { analysed.append(v) }
        }
        #expect(run.isRunning, "\(err.text)")
        #expect(answered >= 3_000 && answered == attempts, "every scrape answered: \(answered) of \(attempts)")
        #expect(analysed.count == answered && analysed == analysed.sorted(), "the line counter never goes back")
        #expect(analysed.last == Double(lines), "\(err.text)")
        let nice = Self.threadNiceValues(Int(run.processIdentifier))
        #expect(nice["logtop-metrics"] == [10] && nice["logtop-analyzer"] == [0] && nice["logtop-source"] == [0],
                "thread nice values: \(nice)")
        let s = try #require(try Self.scrape(port))
        #expect(s.sum("logtop_http_requests_total") == Double(lines))
        for (code, n) in status { #expect(s.value("logtop_http_requests_total", ["code": String(code)]) == Double(n)) }
        kill(run.processIdentifier, SIGTERM)
        #expect(waitUntil(60) { !run.isRunning })
        #expect(run.terminationStatus == 0, "\(err.text)")
    }

    /// Thread name → nice values of the process's threads (`/proc/PID/task/*/stat`, field 19).
    static func threadNiceValues(_ pid: Int) -> [String: [Int]] {
        var out: [String: [Int]] = [:]
        for tid in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? [] {
            guard let comm = try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/comm", encoding: .utf8),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")  // from field 3 (state) on
            guard fields.count > 16, let nice = Int(fields[16]) else { continue }
            out[comm.trimmingCharacters(in: .whitespacesAndNewlines), default: []].append(nice)
        }
        return out
    }

    /// A `logtop analyze` member and the merged view (`--source none`) each serve their metrics: the
    /// member its lines and partials, the view the merged traffic (every generated line), its members
    /// and their lag; both parse.
    @Test(.timeLimit(.minutes(5))) func memberAndMergedViewServeMetrics() throws {
        let dir = try temporaryDirectory()
        let broker = try DevelopmentBroker(in: dir)
        let memberPort = freePort(), viewPort = freePort()
        let (member, memberErr) = try launch(["analyze", "--member", "a", "--metrics-listen", "127.0.0.1:\(memberPort)"]
                                             + broker.clientArguments, in: dir)
        defer { if member.isRunning { member.terminate() } }
        let (view, viewErr) = try launch(["--batch", "--source", "none", "--metrics-listen", "127.0.0.1:\(viewPort)"]
                                         + broker.clientArguments, in: dir)
        defer { if view.isRunning { view.terminate() } }
        #expect(waitUntil(60) { memberErr.text.contains("publishing to") }, "\(memberErr.text)")
        let (status, genErr) = runTool([try logtopBinary(), "generate", "--rate", "2000", "--count", "2000"] + broker.clientArguments,
                                       in: dir, environment: ["PATH": "/usr/bin:/bin", "HOME": dir], timeout: 60)
        #expect(status == 0, "\(genErr)")
        var m: Scrape?, v: Scrape?
        let counted = waitUntil(90) {
            m = try? Self.scrape(memberPort)
            v = try? Self.scrape(viewPort)
            guard let m, let v else { return false }
            // A member counts a partial as published once the broker has acknowledged it, which may be
            // after the view has merged it: wait for both.
            return m.value("logtop_member_lines_total") == 2000 && (m.value("logtop_member_partials_total") ?? 0) > 0
                && v.sum("logtop_http_requests_total") + (v.value("logtop_malformed_lines_total") ?? 0) == 2000
        }
        #expect(counted, "member: \(m?.body.prefix(3000) ?? "nothing")\nview: \(v?.body.prefix(3000) ?? "nothing")\n\(viewErr.text)")
        let ms = try #require(m), vs = try #require(v)
        #expect((ms.value("logtop_member_partials_total") ?? 0) > 0)
        #expect(ms.sum("logtop_http_requests_by_method_total") == ms.sum("logtop_http_requests_total"), "a member counts methods")
        #expect(vs.value("logtop_merge_members") == 1)
        #expect(vs.value("logtop_merge_member_lag_records", ["member": "a"]) != nil)
        #expect(vs.value("logtop_merge_member_lines_total", ["member": "a"]) == 2000)
        #expect(vs.samples("logtop_http_requests_by_method_total").isEmpty, "partials carry no methods: no zeros pretending otherwise")
        #expect(try Self.scrape(viewPort, openMetrics: true) != nil)
        for p in [member, view] { kill(p.processIdentifier, SIGTERM) }
        #expect(waitUntil(60) { !member.isRunning && !view.isRunning })
    }
}
