import Foundation
@testable import LogtopTUI

/// What the dashboard must show for a set of requests the test wrote, counted here from their fields
/// (`CorpusRequest`), with nothing of logtop's (no parser, sketch or `LineFilter`); `problems` lists
/// every figure of a screen (`ScreenFigures`) that differs. Display rounding is allowed for (a share
/// `12.3%` or `12%`, bytes/s in KiB), and the latency percentiles may be up to 1/64 above the true
/// value (the histogram reports the upper bound of a bucket: README, "relative error ≤ 1.6 %").
struct ExpectedFigures: CustomStringConvertible {
    struct KeyCount: Equatable { var hits = 0; var clientErrors = 0; var serverErrors = 0 }

    let requests: [CorpusRequest]
    let windowSeconds: Int

    init(_ requests: [CorpusRequest], windowSeconds: Int = 60) {
        self.requests = requests
        self.windowSeconds = windowSeconds
    }

    var count: Int { requests.count }
    var uniqueClients: Int { Set(requests.map(\.client)).count }
    var peak: Int { Dictionary(grouping: requests, by: \.secondOffset).values.map(\.count).max() ?? 0 }
    var bytes: Int { requests.reduce(0) { $0 + ($1.bytes ?? 0) } }
    var statusCounts: [Int: Int] { Dictionary(grouping: requests, by: \.status).mapValues(\.count) }
    /// Request times in microseconds, ascending.
    var latencies: [Int] { requests.compactMap(\.requestMillis).map { $0 * 1000 }.sorted() }

    /// Hits (and 4xx/5xx for paths and clients) of each key of `mode`'s list; requests without the
    /// field (`-`) are in no list.
    func keys(_ mode: TopListMode) -> [String: KeyCount] {
        var out: [String: KeyCount] = [:]
        for r in requests {
            let key: String?
            switch mode {
            case .urls: key = r.path
            case .clients: key = r.client
            case .referrers: key = r.referrer
            case .userAgents: key = r.userAgent
            }
            guard let key else { continue }
            out[key, default: KeyCount()].hits += 1
            if (400...499).contains(r.status) { out[key]!.clientErrors += 1 }
            if (500...599).contains(r.status) { out[key]!.serverErrors += 1 }
        }
        return out
    }

    var description: String {
        let codes = statusCounts.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        let lat = latencies
        var s = "expected: \(count) requests, \(uniqueClients) clients, peak \(peak)/s, \(bytes) bytes; status \(codes); "
        s += "\(lat.count) timed (p50 \(Self.nearestRank(lat, 0.5).map(String.init) ?? "-") µs)\n"
        for mode in TopListMode.allCases {
            let k = keys(mode).sorted { $0.value.hits > $1.value.hits || ($0.value.hits == $1.value.hits && $0.key < $1.key) }
            s += "  \(mode.title): " + k.map { "\($0.key) \($0.value.hits)" }.joined(separator: "; ") + "\n"
        }
        return s
    }

    /// The value of nearest rank `ceil(q·n)` of ascending `values`.
    static func nearestRank(_ values: [Int], _ q: Double) -> Int? {
        guard !values.isEmpty else { return nil }
        let rank = max(1, Int((q * Double(values.count)).rounded(.up)))
        return values[min(values.count, rank) - 1]
    }

    /// Whether a share shown as `shown` (`Compact.percent`: `0%`, `4.2%`, `42%`, `100%`) is `fraction`.
    static func share(_ shown: String?, is fraction: Double) -> Bool {
        guard let shown, shown.hasSuffix("%"), let v = Double(shown.dropLast()) else { return false }
        if fraction <= 0 { return shown == "0%" }
        if fraction >= 1 { return shown == "100%" }
        if shown == "0%" || shown == "100%" { return false }
        let p = fraction * 100
        return abs(v - p) <= (p < 10 ? 0.05 : 0.5) + 1e-9
    }

    /// `12 ms`, `3.5 ms`, `1.7 s` in milliseconds, with the rounding of the display.
    static func millis(_ shown: String?) -> (value: Double, tolerance: Double)? {
        guard let parts = shown?.split(separator: " "), parts.count == 2, let v = Double(parts[0]) else { return nil }
        if parts[1] == "s" { return (v * 1000, 5) }
        return (v, v < 10 ? 0.05 : 0.5)
    }

    /// `512 B`, `1.2 KiB` in bytes, with the rounding of the display.
    static func byteCount(_ shown: String?) -> (value: Double, tolerance: Double)? {
        guard let parts = shown?.split(separator: " "), parts.count == 2, let v = Double(parts[0]) else { return nil }
        switch parts[1] {
        case "B": return (v, 0.5)
        case "KiB": return (v * 1024, 0.05 * 1024)
        case "MiB": return (v * 1024 * 1024, 0.05 * 1024 * 1024)
        default: return nil
        }
    }

    /// Every figure of `s` that is not what these requests give; `histogramRows` and `topRows`: how
    /// many rows the status histogram and the top list have room for.
    func problems(_ s: ScreenFigures, histogramRows: Int, topRows: Int) -> [String] {
        var p: [String] = []
        let n = count
        // Request rate pane.
        if s.inWindow != String(n) { p.append("in window \(s.inWindow ?? "?"), expected \(n)") }
        if s.clients != String(uniqueClients) { p.append("clients ~\(s.clients ?? "?"), expected \(uniqueClients)") }
        if s.peak.flatMap(Double.init) != Double(peak) { p.append("peak \(s.peak ?? "?")/s, expected \(peak)") }
        if let avg = s.average.flatMap(Double.init) {
            // Requests over the seconds from the first one counted to now, at most the window.
            if n > 0, avg > Double(n) + 0.05 || avg < Double(n) / Double(windowSeconds) - 0.05 {
                p.append("avg \(avg)/s outside \(n)/\(windowSeconds)...\(n)")
            }
        } else {
            p.append("no avg")
        }
        let bytesRate = Double(bytes) / Double(windowSeconds)
        if let b = Self.byteCount(s.bytesRate) {
            if abs(b.value - bytesRate.rounded()) > b.tolerance { p.append("bytes \(s.bytesRate!)/s, expected \(bytesRate) B/s") }
        } else {
            p.append("bytes/s unreadable: \(s.bytesRate ?? "none")")
        }
        // Status codes pane.
        if n == 0 {
            if !s.statusEmpty { p.append("status codes shown for no requests") }
        } else {
            for c in 2...5 {
                let k = requests.filter { $0.status / 100 == c }.count
                if !Self.share(s.classShares["\(c)xx"], is: Double(k) / Double(n)) {
                    p.append("\(c)xx \(s.classShares["\(c)xx"] ?? "?"), expected \(k)/\(n)")
                }
            }
            let codes = statusCounts.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
            let shown = codes.prefix(histogramRows)
            if s.histogram.count != shown.count {
                p.append("\(s.histogram.count) status codes listed, expected \(shown.count)")
            }
            for (row, (code, k)) in zip(s.histogram, shown) {
                if row.code != String(code) || row.count != String(k) || !Self.share(row.share, is: Double(k) / Double(n)) {
                    p.append("status row \(row.code) \(row.count) \(row.share), expected \(code) \(k) (\(k)/\(n))")
                }
            }
            let fives = requests.filter { (500...599).contains($0.status) }.count
            if !Self.share(s.errorRate, is: Double(fives) / Double(n)) {
                p.append("5xx error rate \(s.errorRate ?? "?"), expected \(fives)/\(n)")
            }
        }
        // Latency pane.
        let lat = latencies
        if lat.isEmpty {
            if !s.noLatency { p.append("latency shown without request times") }
        } else {
            if s.samples != String(lat.count) { p.append("samples \(s.samples ?? "?"), expected \(lat.count)") }
            for (name, q) in [("p50", 0.5), ("p95", 0.95), ("p99", 0.99)] {
                guard let shown = Self.millis(s.percentiles[name]), let v = Self.nearestRank(lat, q) else {
                    p.append("\(name) unreadable: \(s.percentiles[name] ?? "none")")
                    continue
                }
                let trueMs = Double(v) / 1000
                if shown.value < trueMs - shown.tolerance || shown.value > trueMs * (1 + 1.0 / 64) + shown.tolerance {
                    p.append("\(name) \(s.percentiles[name]!), expected \(trueMs) ms (at most 1/64 above)")
                }
            }
        }
        // Top list pane (the list on screen).
        guard let mode = s.topMode else { p.append("no top list title"); return p }
        let keys = keys(mode)
        if keys.isEmpty {
            if !s.topEmpty { p.append("\(mode.title) lists rows for no requests") }
            return p
        }
        let rows = min(keys.count, topRows)
        if s.top.count != rows { p.append("\(mode.title): \(s.top.count) rows, expected \(rows)") }
        if Set(s.top.map(\.key)).count != s.top.count { p.append("\(mode.title): a key listed twice") }
        for row in s.top {
            guard let k = keys[row.key] else { p.append("\(mode.title): \(row.key) is not among the requests"); continue }
            if row.hits != String(k.hits) { p.append("\(mode.title): \(row.key) \(row.hits) hits, expected \(k.hits)") }
            if !Self.share(row.share, is: Double(k.hits) / Double(n)) {
                p.append("\(mode.title): \(row.key) share \(row.share), expected \(k.hits)/\(n)")
            }
            if mode.hasErrorShares {
                if !Self.share(row.clientErrors, is: Double(k.clientErrors) / Double(k.hits)) {
                    p.append("\(mode.title): \(row.key) 4xx \(row.clientErrors ?? "?"), expected \(k.clientErrors)/\(k.hits)")
                }
                if !Self.share(row.serverErrors, is: Double(k.serverErrors) / Double(k.hits)) {
                    p.append("\(mode.title): \(row.key) 5xx \(row.serverErrors ?? "?"), expected \(k.serverErrors)/\(k.hits)")
                }
            }
        }
        // By hits, and no key left out has more hits than one listed.
        let hits = s.top.compactMap { Int($0.hits) }
        if hits != hits.sorted(by: >) { p.append("\(mode.title) not sorted by hits") }
        let listed = Set(s.top.map(\.key))
        if let least = hits.min(), let missing = keys.filter({ !listed.contains($0.key) }).max(by: { $0.value.hits < $1.value.hits }),
           missing.value.hits > least {
            p.append("\(mode.title): \(missing.key) (\(missing.value.hits) hits) left out")
        }
        return p
    }
}
