import Testing
@testable import LogtopCore

/// The fields of one generated line, split without regular expressions.
private struct Line {
    let client, stamp, method, target, proto, referer, agent: String
    let status, bytes: Int
    let seconds: Double
    var path: Substring { target.split(separator: "?", omittingEmptySubsequences: false)[0] }

    /// `IP - - [stamp] "METHOD TARGET PROTO" STATUS BYTES "REFERER" "AGENT" SECONDS`
    init?(_ text: String) {
        let q = text.split(separator: "\"", omittingEmptySubsequences: false).map(String.init)
        guard q.count == 7, q[4] == " " else { return nil }
        let head = q[0].split(separator: " ", omittingEmptySubsequences: false)
        guard head.count == 6, head[1] == "-", head[2] == "-", head[5] == "",
              head[3].hasPrefix("["), head[4] == "+0000]" else { return nil }
        let request = q[1].split(separator: " ", omittingEmptySubsequences: false)
        let mid = q[2].split(separator: " ", omittingEmptySubsequences: false)
        guard request.count == 3, mid.count == 4, mid[0] == "", mid[3] == "",
              mid[1].count == 3, let status = Int(mid[1]), let bytes = Int(mid[2]) else { return nil }
        let time = q[6].dropFirst()
        let parts = time.split(separator: ".", omittingEmptySubsequences: false)
        guard q[6].first == " ", parts.count == 2, parts[1].count == 3, parts[0].allSatisfy(\.isNumber),
              parts[1].allSatisfy(\.isNumber), let seconds = Double(time) else { return nil }
        (client, stamp) = (String(head[0]), String(head[3].dropFirst()) + " +0000")
        (method, target, proto) = (String(request[0]), String(request[1]), String(request[2]))
        (referer, agent) = (q[3], q[5])
        (self.status, self.bytes, self.seconds) = (status, bytes, seconds)
    }
}

private let start: Int64 = 1_795_700_000  // 2026-11-26

/// `count` lines from the model alone, 200 per second of event time.
private func modelLines(_ count: Int, seed: UInt64 = 42, scenario: TrafficScenario? = nil) -> [Line] {
    var model = TrafficModel(seed: seed)
    return (0..<count).map { Line(model.nextLine(time: start + Int64($0 / 200), scenario: scenario))! }
}

/// Pacer and model together, as the generator source wires them: a tick every 100 ms.
private func simulate(seconds: Int, rate: Double = 200, scenario: TrafficScenario?, seed: UInt64 = 7)
    -> (lines: [Line], model: TrafficModel) {
    var pacer = TrafficPacer(rate: rate, seed: seed)
    var model = TrafficModel(seed: seed)
    var lines: [Line] = []
    for tick in 0...(seconds * 10) {
        let n = pacer.due(nowNanos: UInt64(tick) * 100_000_000, scenario: scenario)
        for _ in 0..<n { lines.append(Line(model.nextLine(time: start + Int64(tick / 10), scenario: scenario))!) }
    }
    return (lines, model)
}

private func share(_ lines: [Line], _ predicate: (Line) -> Bool) -> Double {
    Double(lines.count { predicate($0) }) / Double(lines.count)
}

private func quantile(_ values: [Double], _ q: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))]
}

// MARK: - RNG and determinism

@Test func splitMixMatchesReferenceSequence() {
    var rng = SplitMix64(seed: 0)
    #expect([rng.next(), rng.next(), rng.next()] == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
}

@Test func sameSeedSameLinesDifferentSeedDifferentLines() {
    func lines(_ seed: UInt64) -> [String] {
        var model = TrafficModel(seed: seed)
        return (0..<500).map { model.nextLine(time: start + Int64($0 / 100), scenario: $0 < 250 ? nil : .errors) }
    }
    #expect(lines(1) == lines(1))
    #expect(lines(1) != lines(2))
    #expect(Set(lines(1)).isDisjoint(with: lines(2)))
}

// MARK: - Line shape and background mix

@Test func linesAreCombinedFormatWithRequestTime() {
    var model = TrafficModel(seed: 3)
    let first = model.nextLine(time: start, scenario: nil)
    #expect(first.contains("[\(CivilTime.commonLogTime(start))]"))
    let methods: Set = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    for i in 0..<5_000 {
        let text = model.nextLine(time: start + Int64(i / 200), scenario: nil)
        guard let line = Line(text) else { Issue.record("not combined: \(text)"); return }
        #expect(methods.contains(line.method) && line.target.hasPrefix("/"))
        #expect(["HTTP/1.0", "HTTP/1.1", "HTTP/2.0"].contains(line.proto))
        #expect((100...599).contains(line.status) && line.bytes >= 0 && line.seconds >= 0)
        #expect(line.referer == "-" || line.referer.hasPrefix("https://"))
    }
}

@Test func statusMixIsRealistic() {
    let lines = modelLines(20_000)
    #expect((0.70...0.92).contains(share(lines) { (200..<300).contains($0.status) }))
    #expect((0.05...0.20).contains(share(lines) { (300..<400).contains($0.status) }))
    #expect((0.01...0.04).contains(share(lines) { $0.status == 404 }))
    #expect((0.005...0.018).contains(share(lines) { $0.status >= 500 }))
    for code in [200, 301, 302, 304, 404, 500, 503] { #expect(lines.contains { $0.status == code }, "no \(code)") }
    #expect(lines.allSatisfy { ($0.status != 304 && $0.method != "HEAD") || $0.bytes == 0 })
}

@Test func methodsMostlyGetOthersOnApiAndForms() {
    let lines = modelLines(20_000)
    #expect(share(lines) { $0.method == "GET" } > 0.85)
    for m in ["POST", "PUT", "DELETE", "HEAD", "OPTIONS"] { #expect(lines.contains { $0.method == m }, "no \(m)") }
    let writes = lines.filter { ["PUT", "PATCH", "DELETE", "OPTIONS"].contains($0.method) }
    #expect(writes.allSatisfy { $0.path.hasPrefix("/api/") })
}

@Test func pathsAreZipfOverARealisticCatalogue() {
    let lines = modelLines(20_000)
    let counts = Dictionary(lines.map { ($0.path, 1) }, uniquingKeysWith: +).values.sorted(by: >)
    #expect(counts.count > 200)
    #expect(counts[0] > 10 * counts[49])
    for prefix in ["/static/css/", "/static/js/", "/images/", "/favicon.ico", "/robots.txt", "/api/v1/users/"] {
        #expect(lines.contains { $0.path.hasPrefix(prefix) }, "no \(prefix)")
    }
    #expect(lines.contains { $0.path.hasPrefix("/api/v1/") && $0.path.last!.isNumber })
    #expect((0.02...0.40).contains(share(lines) { $0.target.contains("?") }))
}

@Test func clientsAgentsReferrersAndProtocols() {
    let lines = modelLines(20_000)
    let perClient = Dictionary(lines.map { ($0.client, 1) }, uniquingKeysWith: +)
    #expect(perClient.count > 1_000)
    #expect(Double(perClient.values.max()!) / Double(lines.count) < 0.06)
    #expect((0.03...0.20).contains(share(lines) { $0.client.contains(":") }))
    for agent in ["Chrome/", "Firefox/", "Safari/", "Googlebot", "bingbot", "curl/", "python-requests/", "Go-http-client/"] {
        #expect(lines.contains { $0.agent.contains(agent) }, "no \(agent)")
    }
    for referer in ["-", "https://www.google.com/", "https://www.example.com/"] {
        #expect(lines.contains { $0.referer.hasPrefix(referer) }, "no \(referer)")
    }
    #expect(share(lines) { $0.proto == "HTTP/1.1" } > 0.6)
    #expect(share(lines) { $0.proto == "HTTP/2.0" } > 0.05)
}

@Test func sizesAndTimesDependOnContent() {
    let ok = modelLines(20_000).filter { $0.status == 200 && $0.method == "GET" }
    let images = ok.filter { $0.path.hasPrefix("/images/") }
    let api = ok.filter { $0.path.hasPrefix("/api/") }
    let staticFiles = ok.filter { $0.path.hasPrefix("/static/") }
    let pages = ok.filter { !$0.path.hasPrefix("/static/") && !$0.path.hasPrefix("/api/") && !$0.path.contains(".") }
    #expect(quantile(images.map { Double($0.bytes) }, 0.5) > 5 * quantile(api.map { Double($0.bytes) }, 0.5))
    let pageMedian = quantile(pages.map(\.seconds), 0.5)
    #expect((0.02...0.08).contains(pageMedian))
    #expect(quantile(staticFiles.map(\.seconds), 0.5) * 5 < pageMedian)
}

// MARK: - Scenarios

@Test func scenariosDescribeThemselves() {
    #expect(TrafficScenario.allCases.map(\.rawValue) == ["spike", "errors", "flood", "scan", "slow", "drop"])
    #expect(TrafficScenario.allCases.allSatisfy { !$0.summary.isEmpty && !$0.summary.contains("\n") })
}

@Test func errorsScenarioFailsAtLeastThirtyPercent() {
    let lines = modelLines(10_000, scenario: .errors)
    #expect(share(lines) { $0.status >= 500 } >= 0.30)
    #expect(Set(lines.map(\.status).filter { $0 >= 500 }) == [500, 502, 503, 504])
}

@Test func floodAddsOneHammeringClientOnTop() {
    let (lines, model) = simulate(seconds: 60, scenario: .flood)
    let flood = lines.count { $0.client == model.floodClient }
    #expect((8_100...9_900).contains(flood))                      // ~150 req/s
    #expect((10_800...13_200).contains(lines.count - flood))      // background unchanged
    #expect(Double(flood) / Double(lines.count) >= 0.35)
    #expect(simulate(seconds: 10, scenario: nil).lines.allSatisfy { $0.client != model.floodClient })
}

@Test func scanProbesManyMissingPathsFromOneClient() {
    let (lines, model) = simulate(seconds: 60, scenario: .scan)
    let scan = lines.filter { $0.client == model.scanClient }
    #expect(scan.count >= 40 * 60)
    #expect(scan.allSatisfy { $0.status == 404 })
    #expect(Set(scan.map(\.path)).count >= 100)
    #expect(scan.contains { $0.path.hasSuffix("/.env") } && scan.contains { $0.path.contains("wp-") })
    let normalPaths = Set(modelLines(20_000).map(\.path))
    #expect(scan.allSatisfy { !normalPaths.contains($0.path) })
}

@Test func slowScenarioDegradesLatency() {
    let normal = modelLines(10_000).map(\.seconds)
    let slow = modelLines(10_000, scenario: .slow).map(\.seconds)
    #expect(quantile(slow, 0.5) >= 10 * quantile(normal, 0.5))
    #expect(quantile(normal, 0.95) < 0.5)
    #expect(quantile(slow, 0.95) > 2)
}

// MARK: - Pacer

private func paced(_ pacer: inout TrafficPacer, from: Int, to: Int, scenario: TrafficScenario? = nil) -> [Int] {
    (from..<to).map { pacer.due(nowNanos: UInt64($0) * 100_000_000, scenario: scenario) }  // 100 ms ticks
}

@Test func pacerFollowsTheRateWithSlowNoise() {
    var pacer = TrafficPacer(rate: 200, seed: 9)
    let ticks = paced(&pacer, from: 0, to: 601)
    #expect((10_800...13_200).contains(ticks.reduce(0, +)))
    let perFiveSeconds = stride(from: 1, to: 601, by: 50).map { ticks[$0..<$0 + 50].reduce(0, +) }
    #expect(perFiveSeconds.allSatisfy { (800...1_200).contains($0) })
    #expect(perFiveSeconds.max()! - perFiveSeconds.min()! >= 50)  // not a flat line
    pacer.rate = 50
    #expect((2_400...3_600).contains(paced(&pacer, from: 601, to: 1_201).reduce(0, +)))
}

@Test func pacerSpikeDropAndInjectedTraffic() {
    var spike = TrafficPacer(rate: 200, seed: 9)
    #expect((108_000...132_000).contains(paced(&spike, from: 0, to: 601, scenario: .spike).reduce(0, +)))
    var drop = TrafficPacer(rate: 200, seed: 9)
    #expect(paced(&drop, from: 0, to: 601, scenario: .drop).allSatisfy { $0 == 0 })
    var flood = TrafficPacer(rate: 200, seed: 9)
    #expect((19_800...22_200).contains(paced(&flood, from: 0, to: 601, scenario: .flood).reduce(0, +)))
}

@Test func pausedEmitsNothingAndResumesWithoutBurst() {
    var pacer = TrafficPacer(rate: 200, seed: 9)
    _ = paced(&pacer, from: 0, to: 100)
    pacer.paused = true
    #expect(paced(&pacer, from: 100, to: 200).allSatisfy { $0 == 0 })
    pacer.paused = false
    #expect(paced(&pacer, from: 200, to: 210).allSatisfy { $0 <= 25 })
    // Same when nobody ticked during the pause, and after a drop ends.
    pacer.paused = true
    pacer.paused = false
    #expect(paced(&pacer, from: 400, to: 410).allSatisfy { $0 <= 25 })
    _ = paced(&pacer, from: 410, to: 500, scenario: .drop)
    #expect(paced(&pacer, from: 500, to: 510).allSatisfy { $0 <= 25 })
    #expect(pacer.due(nowNanos: 0, scenario: nil) == 0)  // clock going backwards
}

