import LogtopCore

extension DashboardRenderer {
    /// Latency p50/p95/p99 when the logs carry request times, with bars against the p95 rule.
    mutating func drawLatencyPane(_ rect: Rect) {
        let inner = rect.inset(1)
        let rule = rules.first { $0.kind == .latencyP95 }
        buffer.box(rect, title: "Latency", info: rule.map { "p95 alert \(glyphs.atLeast) \(Compact.millis($0.threshold))" },
                   glyphs: glyphs)
        guard inner.height >= 1, inner.width >= 10 else { return }
        guard let lat = traffic.window.latency else {
            buffer.put(fit("no request times in these logs", inner.width), x: inner.x, y: inner.y, style: .dim)
            if inner.height >= 2 {
                buffer.put(fit("(needs %D, %T or $request_time)", inner.width), x: inner.x, y: inner.y + 1, style: .dim)
            }
            return
        }
        let limit = rule?.threshold ?? lat.p99
        let scale = max(lat.p99, limit, 0.001)
        let valueWidth = 9
        let barWidth = max(1, inner.width - 4 - valueWidth - 1)
        let rows: [(String, Double)] = [("p50", lat.p50), ("p95", lat.p95), ("p99", lat.p99)]
        for (i, (name, v)) in rows.enumerated() where i < inner.height {
            var style: Style = .good
            if let rule, name != "p50" {
                if v >= rule.threshold { style = .bad } else if v >= rule.threshold / 2 { style = .warn }
            }
            let (filled, empty) = glyphs.bar(v / scale, width: barWidth)
            spans([
                (name + " ", .dim), (pad(Compact.millis(v), valueWidth, right: true), .strong), (" ", .normal),
                (filled, style), (empty, .dim),
            ], x: inner.x, y: inner.y + i, limit: inner.width)
        }
        if inner.height >= 4 {
            spans([("samples ", .dim), (Compact.count(lat.samples), .strong), (" in \(traffic.windowSeconds) s", .dim)],
                  x: inner.x, y: inner.y + 3, limit: inner.width)
        }
    }
}
