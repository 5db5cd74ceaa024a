import LogtopCore

extension DashboardRenderer {
    /// Status codes: shares of the classes 2xx–5xx, a histogram by code with bars and counts, and the
    /// error rate against the `error_rate` rule.
    mutating func drawStatusPane(_ rect: Rect) {
        let inner = rect.inset(1)
        let summary = traffic.window
        buffer.box(rect, title: "Status codes", info: "\(traffic.windowSeconds) s", glyphs: glyphs)
        guard inner.height >= 1, inner.width >= 10 else { return }
        guard summary.requests > 0 else {
            buffer.put(fit("no requests in the window", inner.width), x: inner.x, y: inner.y, style: .dim)
            return
        }
        let total = Double(summary.requests)
        /// Styles by class digit: 1xx ... 5xx (0: codes outside 100...599).
        let classStyles: [Style] = [.dim, .dim, .good, .info, .warn, .bad]
        func share(_ n: Int) -> String { Compact.percent(Double(n) / total) }

        // Line 1: the classes.
        func classLine(_ gap: String, _ text: (Int) -> String) -> [(String, Style)] {
            var parts: [(String, Style)] = []
            for c in 1...4 {
                let n = c < summary.classes.count ? summary.classes[c] : 0
                if c > 1 { parts.append((gap, .normal)) }
                parts.append(("\(c + 1)xx ", classStyles[c + 1]))
                parts.append((text(n), .strong))
            }
            return parts
        }
        var line = classLine("  ", share)
        if line.map({ width($0.0) }).reduce(0, +) > inner.width {
            line = classLine(" ") { n in "\(Int((Double(n) / total * 100).rounded()))%" }
        }
        spans(line, x: inner.x, y: inner.y, limit: inner.width)

        // Histogram by code, biggest first.
        let bars = max(0, inner.height - 2)
        let codes = summary.status.sorted { $0.count > $1.count || ($0.count == $1.count && $0.code < $1.code) }.prefix(bars)
        let biggest = Double(codes.first?.count ?? 1)
        let countWidth = 6, shareWidth = 5
        let barWidth = max(1, inner.width - 4 - 1 - countWidth - 1 - shareWidth)
        for (i, sc) in codes.enumerated() {
            let y = inner.y + 1 + i
            let cls = sc.code >= 100 && sc.code < 600 ? sc.code / 100 : 0
            let style = classStyles[cls]
            let (filled, empty) = glyphs.bar(Double(sc.count) / biggest, width: barWidth)
            spans([
                (pad(sc.code == 0 ? "???" : String(sc.code), 4), style),
                (filled, style), (empty, .dim),
                (pad(Compact.count(sc.count), countWidth + 1, right: true), .strong),
                (pad(share(sc.count), shareWidth + 1, right: true), .dim),
            ], x: inner.x, y: y, limit: inner.width)
        }

        // Error rate against the rule.
        guard inner.height >= 2 else { return }
        let errorPercent = summary.errorRate * 100
        let threshold = rules.first { $0.kind == .errorRate }?.threshold
        var style: Style = .good
        if let t = threshold {
            if errorPercent >= t { style = .bad } else if errorPercent >= t / 2 { style = .warn }
        }
        var errorLine: [(String, Style)] = [("5xx error rate ", .dim), (Compact.percent(summary.errorRate), style)]
        if let t = threshold { errorLine.append(("  alert \(glyphs.atLeast) \(Format.number(t)) %", .dim)) }
        if errorLine.map({ width($0.0) }).reduce(0, +) > inner.width { errorLine[0].0 = "5xx rate " }
        spans(errorLine, x: inner.x, y: inner.maxY - 1, limit: inner.width)
    }
}
