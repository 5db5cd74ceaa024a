import LogtopCore

extension DashboardRenderer {
    /// The help overlay: every key of the key table, then what the scenarios do when there is room.
    mutating func drawHelp() {
        let W = buffer.width, H = buffer.height
        let boxWidth = min(W - 2, 100)
        let innerWidth = boxWidth - 4
        let columns = innerWidth >= 70 ? 2 : 1
        let colWidth = (innerWidth - (columns - 1) * 3) / columns
        let bindings = KeyMap.helpEntries(ascii: ascii)
        let rowsNeeded = (bindings.count + columns - 1) / columns
        var notes: [[(String, Style)]] = [
            [("Top list ", .title), ("t: URLs, clients, referrers, agents; s: hits, 4xx, 5xx share", .normal)],
            [("Thresholds ", .title), ("apply at once: the analyzer's next second uses them", .normal)],
            [("Rules ", .title), ("relative to traffic; rate_high is absolute (your capacity)", .normal)],
        ]
        if feed.replay != nil {
            notes.append([("Replay ", .title), ("(--replay-speed) p pauses it, + - change its speed", .normal)])
        }
        var scenarioNotes: [[(String, Style)]] = [[("Scenarios ", .title), ("(generator traffic, \(KeyMap.scenarioSeconds) s each; 0 stops)", .dim)]]
        for (i, s) in TrafficScenario.allCases.enumerated() {
            scenarioNotes.append([("  \(i + 1) \(pad(s.rawValue, 7))", .strong), (s.summary, .normal)])
        }
        let fixed = 2 + 1 + rowsNeeded + 1 + 1  // borders, blank, keys, blank, close line
        if fixed + notes.count + scenarioNotes.count + 1 <= H - 2 {
            notes.append([])
            notes += scenarioNotes
        } else {
            let list = TrafficScenario.allCases.enumerated().map { "\($0.offset + 1) \($0.element.rawValue)" }.joined(separator: "  ")
            notes.append([("Scenarios ", .title), (list + "  (0 stops)", .normal)])
        }
        let boxHeight = min(H - 2, fixed + notes.count + 1)
        let box = Rect(x: (W - boxWidth) / 2, y: max(1, (H - boxHeight) / 2), width: boxWidth, height: boxHeight)
        buffer.fill(Rect(x: box.x - 1, y: box.y, width: box.width + 2, height: box.height), style: .normal)
        buffer.box(box, title: "logtop \(Logtop.version): keys", info: "? or Esc closes", glyphs: glyphs, style: .title)
        let inner = Rect(x: box.x + 2, y: box.y + 1, width: innerWidth, height: box.height - 2)
        var y = inner.y + 1
        for row in 0..<rowsNeeded where y < inner.maxY {
            for col in 0..<columns {
                let i = col * rowsNeeded + row
                guard i < bindings.count else { continue }
                let (label, help) = bindings[i]
                let x = inner.x + col * (colWidth + 3)
                spans([(pad(label, 9), .title), (" " + help, .normal)], x: x, y: y, limit: colWidth)
            }
            y += 1
        }
        y += 1
        for n in notes where y < inner.maxY - 1 {
            spans(n, x: inner.x, y: y, limit: inner.width)
            y += 1
        }
        let close = "Press ? or Esc to close this help; q quits."
        buffer.put(fit(close, inner.width), x: inner.x, y: inner.maxY - 1, style: .dim)
    }
}
