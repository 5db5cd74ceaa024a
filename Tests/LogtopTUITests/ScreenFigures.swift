import Foundation
@testable import LogtopTUI

/// The figures a dashboard screen (a tmux capture) shows, read as text, pane by pane (the panes
/// located with `DashboardLayout`, as drawn): what the filter and drill-down tests compare with an
/// independent count (`ExpectedFigures`) and with each other.
struct ScreenFigures: Equatable, CustomStringConvertible {
    struct StatusRow: Equatable { var code: String; var count: String; var share: String }
    struct TopRow: Equatable { var key: String; var hits: String; var share: String; var clientErrors: String?; var serverErrors: String? }

    /// The first row.
    var title = ""
    // Request rate pane.
    var linesSeen: Int?
    var inWindow: String?
    var clients: String?
    var average: String?
    var peak: String?
    var bytesRate: String?
    // Status codes pane.
    var statusEmpty = false
    var classShares: [String: String] = [:]
    var histogram: [StatusRow] = []
    var errorRate: String?
    // Latency pane.
    var noLatency = false
    var percentiles: [String: String] = [:]
    var samples: String?
    // Kafka & pipeline pane: malformed lines (of all traffic).
    var malformed: Int?
    // Top list pane.
    var topMode: TopListMode?
    var topEmpty = false
    var top: [TopRow] = []

    /// The figures that do not depend on when the screen was read (lines analysed so far, the
    /// average over the seconds that passed): two views of the same requests show the same ones.
    var timeless: ScreenFigures {
        var f = self
        f.title = ""
        f.linesSeen = nil
        f.malformed = nil
        f.average = nil
        return f
    }

    var description: String {
        var s = "rate: lines \(linesSeen.map(String.init) ?? "?") in window \(inWindow ?? "?") clients ~\(clients ?? "?")"
        s += " avg \(average ?? "?") peak \(peak ?? "?") bytes \(bytesRate ?? "?")/s\n"
        s += statusEmpty ? "status: none\n" : "status: \(classShares.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: " "))"
            + " | " + histogram.map { "\($0.code) \($0.count) \($0.share)" }.joined(separator: ", ") + " | 5xx \(errorRate ?? "?")\n"
        s += noLatency ? "latency: none\n" : "latency: \(["p50", "p95", "p99"].map { "\($0) \(percentiles[$0] ?? "?")" }.joined(separator: " ")) samples \(samples ?? "?")\n"
        s += "\(topMode?.title ?? "top list ?"): " + (topEmpty ? "none" : top.map { row in
            "\(row.key) \(row.hits) \(row.share)" + (row.clientErrors.map { " \($0)/\(row.serverErrors ?? "?")" } ?? "")
        }.joined(separator: "; "))
        return s
    }

    /// Row `y` of `rows`, columns `x ..< x + width` (a pane's slice of the screen).
    static func slice(_ rows: [String], _ y: Int, _ x: Int, _ width: Int) -> String {
        guard y >= 0, y < rows.count else { return "" }
        let chars = Array(rows[y])
        guard x < chars.count else { return "" }
        return String(chars[x..<min(chars.count, x + width)])
    }

    /// The inner rows of a pane (inside its border).
    static func inner(_ rows: [String], _ r: Rect) -> [String] {
        (r.y + 1 ..< r.maxY - 1).map { slice(rows, $0, r.x + 1, r.width - 2) }
    }

    static func groups(_ text: String, _ pattern: String) -> [String]? {
        guard let re = try? NSRegularExpression(pattern: pattern),
              let m = re.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
        return (1..<m.numberOfRanges).map { i in
            Range(m.range(at: i), in: text).map { String(text[$0]) } ?? ""
        }
    }

    init() {}

    /// Reads the screen of a `width`×`height` dashboard.
    init(screen: String, width: Int, height: Int) {
        let rows = screen.components(separatedBy: "\n")
        guard let layout = DashboardLayout.compute(width: width, height: height) else { return }
        title = rows.first ?? ""

        for line in Self.inner(rows, layout.rate) {
            if let g = Self.groups(line, #"^now \S+/s  avg (\S+)/s  peak (\S+)/s  (\S+ \S+)/s"#) {
                average = g[0]; peak = g[1]; bytesRate = g[2]
            }
            if let g = Self.groups(line, #"^lines (\d+)  in window (\S+)  clients ~(\S+)"#) {
                linesSeen = Int(g[0]); inWindow = g[1]; clients = g[2]
            }
        }

        let status = Self.inner(rows, layout.status)
        statusEmpty = status.first?.hasPrefix("no requests in the window") == true
        if !statusEmpty, let first = status.first {
            for c in 2...5 {
                if let g = Self.groups(first, "\(c)xx (\\S+%)") { classShares["\(c)xx"] = g[0] }
            }
            for line in status.dropFirst() {
                if let g = Self.groups(line, #"^(\d{3}|\?\?\?) \S*\s+(\d+)\s+(\S+%)\s*$"#) {
                    histogram.append(StatusRow(code: g[0], count: g[1], share: g[2]))
                }
                if let g = Self.groups(line, #"^5xx (?:error )?rate (\S+%)"#) { errorRate = g[0] }
            }
        }

        let latency = Self.inner(rows, layout.latency)
        noLatency = latency.first?.hasPrefix("no request times") == true
        for line in latency {
            if let g = Self.groups(line, #"^(p50|p95|p99)\s+(\S+ m?s)"#) { percentiles[g[0]] = g[1] }
            if let g = Self.groups(line, #"^samples (\S+) in"#) { samples = g[0] }
        }

        for line in Self.inner(rows, layout.pipeline) {
            if let g = Self.groups(line, #"^malformed (\d+)"#) { malformed = Int(g[0]) }
        }

        let border = Self.slice(rows, layout.topList.y, layout.topList.x, layout.topList.width)
        topMode = TopListMode.allCases.first { border.contains($0.title + " ") }
        let list = Self.inner(rows, layout.topList).dropFirst()  // the column headings first
        topEmpty = list.first?.hasPrefix("no requests in the window") == true
        if !topEmpty, let mode = topMode {
            let tail = mode.hasErrorShares ? #"\s+(\d+)\s+(\S+%)\s+(\S+%)\s+(\S+%)\s*$"# : #"\s+(\d+)\s+(\S+%)\s*$"#
            for line in list {
                guard let g = Self.groups(line, "^(.+?)" + tail) else { continue }
                top.append(TopRow(key: g[0].trimmingCharacters(in: .whitespaces), hits: g[1], share: g[2],
                                  clientErrors: mode.hasErrorShares ? g[3] : nil,
                                  serverErrors: mode.hasErrorShares ? g[4] : nil))
            }
        }
    }
}
