import LogtopCore

extension DashboardRenderer {
    /// Request rate: a per-second bar graph of the sliding window, then current, average and peak
    /// req/s and bytes/s.
    mutating func drawRatePane(_ rect: Rect) {
        let inner = rect.inset(1)
        let snap = traffic
        // Complete seconds only: the newest second is still filling and would always look like a dip.
        let series = Array(snap.perSecond.dropLast())
        let labelWidth = 6
        let columns = max(0, inner.width - labelWidth)
        let shown = Array(series.suffix(columns))
        buffer.box(rect, title: "Request rate", info: "last \(shown.count) s, req/s", glyphs: glyphs)
        guard inner.height >= 1, inner.width >= 10 else { return }

        let statsLines = inner.height >= 4 ? 2 : (inner.height >= 2 ? 1 : 0)
        let graphHeight = inner.height - statsLines
        if graphHeight > 0, columns > 0 {
            let peak = Double(shown.max() ?? 0)
            let scale = Compact.niceCeiling(max(peak, 1))
            // Axis labels.
            buffer.put(pad(Compact.rate(scale), labelWidth - 1, right: true), x: inner.x, y: inner.y, style: .dim)
            if graphHeight >= 4 {
                buffer.put(pad(Compact.rate(scale / 2), labelWidth - 1, right: true), x: inner.x,
                           y: inner.y + graphHeight / 2, style: .dim)
            }
            if graphHeight >= 2 {
                buffer.put(pad("0", labelWidth - 1, right: true), x: inner.x, y: inner.y + graphHeight - 1, style: .dim)
            }
            for row in 0..<graphHeight {
                buffer.put(glyphs.vertical, x: inner.x + labelWidth - 1, y: inner.y + row, style: .border)
            }
            let x0 = inner.x + labelWidth + (columns - shown.count)
            for (i, v) in shown.enumerated() {
                var eighths = Int((Double(v) / scale * Double(graphHeight * 8)).rounded())
                if v > 0 && eighths == 0 { eighths = 1 }
                for level in 0..<graphHeight {
                    let cell = min(8, max(0, eighths - level * 8))
                    guard cell > 0 else { break }
                    buffer.put(glyphs.levels[cell], x: x0 + i, y: inner.y + graphHeight - 1 - level, style: .graph)
                }
            }
            if shown.isEmpty || peak == 0 {
                let msg = snap.linesSeen == 0 ? "waiting for traffic" + glyphs.ellipsis : "no requests in the window"
                buffer.put(fit(msg, columns - 2), x: inner.x + labelWidth + 1, y: inner.y + max(0, graphHeight / 2 - 1), style: .dim)
            }
        }
        guard statsLines > 0 else { return }
        let y1 = inner.maxY - statsLines
        spans([
            ("now ", .dim), ("\(Compact.rate(Double(snap.currentRate)))/s", .strong),
            ("  avg ", .dim), ("\(Compact.rate(snap.averageRate))/s", .strong),
            ("  peak ", .dim), ("\(Compact.rate(Double(snap.peakRate)))/s", .strong),
            ("  ", .dim), ("\(Format.bytes(Int64(snap.averageBytesRate.rounded())))/s", .strong),
        ], x: inner.x, y: y1, limit: inner.width)
        if statsLines == 2 {
            var parts: [(String, Style)] = [
                ("lines ", .dim), (String(snap.linesSeen), .strong),
                ("  in window ", .dim), (Compact.count(snap.window.requests), .strong),
                ("  clients ", .dim), ("~\(Compact.count(snap.window.uniqueClients))", .strong),
            ]
            if state.isFrozen { parts.append(("  (frozen)", .info)) }
            spans(parts, x: inner.x, y: y1 + 1, limit: inner.width)
        }
    }
}
