import LogtopCore

extension DashboardRenderer {
    /// Kafka and pipeline: broker, producer accounting, consumer lag and losses, malformed and late
    /// lines, alert records, the generator.
    mutating func drawPipelinePane(_ rect: Rect) {
        let inner = rect.inset(1)
        buffer.box(rect, title: "Kafka & pipeline", info: feed.embedded ? "embedded" : nil, glyphs: glyphs)
        guard inner.height >= 1, inner.width >= 16 else { return }
        var lines: [[(String, Style)]] = []
        let half = inner.width / 2
        /// Two label/value pairs in two columns.
        func pair(_ a: String, _ av: String, _ aStyle: Style, _ b: String, _ bv: String, _ bStyle: Style) -> [(String, Style)] {
            let first = a + " " + av
            let gap = max(2, half - width(first))
            return [(a + " ", .dim), (av, aStyle), (String(repeating: " ", count: gap), .normal), (b + " ", .dim), (bv, bStyle)]
        }
        lines.append([
            (glyphs.dot + " ", feed.connected ? .good : .bad),
            (feed.connected ? "" : "DOWN ", .bad),
            (feed.embedded ? "embedded " : "", .dim), (feed.broker, .strong),
        ])
        if let m = feed.merged {
            // A merged view produces nothing itself: who contributes matters more.
            mergedLines(m, width: inner.width, into: &lines)
        } else {
            lines.append(pair("produced", Compact.count(feed.produced), .strong, "delivered", Compact.count(feed.delivered), .strong))
            lines.append(pair("failed", Compact.count(feed.failed), feed.failed > 0 ? .bad : .strong,
                              "in flight", Compact.count(feed.inFlight), .strong))
            lines.append(pair("lag", Compact.count(feed.consumerLag), feed.consumerLag > 10_000 ? .warn : .strong,
                              "lost", Compact.count(feed.lostLines), feed.lostLines > 0 ? .bad : .strong))
        }
        lines.append(pair("malformed", Compact.count(feed.snapshot.malformed), feed.snapshot.malformed > 0 ? .warn : .strong,
                          "late", Compact.count(feed.snapshot.late), feed.snapshot.late > 0 ? .warn : .strong)
                     + [(" " + Self.latenessText(feed.snapshot), .dim)])
        lines.append(pair("alerts out", Compact.count(feed.alertsPublished), .strong,
                          "failed", Compact.count(feed.alertsFailed), feed.alertsFailed > 0 ? .bad : .strong))
        let g = feed.generator
        if g.enabled {
            var gen: [(String, Style)] = [("generator ", .dim), ("\(Compact.rate(g.rate))/s ", .strong)]
            if g.paused {
                gen.append(("\(glyphs.pause) PAUSED", .warn))
            } else if let sc = g.scenario {
                gen.append(("\(glyphs.firing) \(sc.rawValue)", .warn))
                if let left = g.scenarioSecondsLeft { gen.append((" \(Compact.seconds(left)) left", .dim)) }
            } else {
                gen.append(("\(glyphs.play) running", .good))
            }
            lines.append(gen)
        } else if feed.sources.isEmpty && feed.merged == nil {
            lines.append([("generator ", .dim), ("off", .strong), (" (other sources)", .dim)])
        }
        for src in feed.sources {
            let count = Compact.count(src.lines)
            let nameRoom = max(4, inner.width - width(count) - width(src.state) - 3)
            lines.append([(cut(src.name, nameRoom) + " ", .dim), (count, .strong), (" " + src.state, src.waiting ? .warn : .dim)])
        }
        if feed.backPressured { lines.append([("waiting: analyzer behind", .warn)]) }
        if let e = feed.lastKafkaError { lines.append([("last error ", .dim), (e, .bad)]) }
        for (reason, n) in feed.failuresByReason.sorted(by: { $0.key < $1.key }) {
            lines.append([("  \(reason) ", .dim), (Compact.count(n), .bad)])
        }
        for (i, line) in lines.prefix(inner.height).enumerated() {
            spans(line, x: inner.x, y: inner.y + i, limit: inner.width)
        }
    }

    /// The lateness in effect: `≤5s` (live figures and reports alike), `≤5s/1h` (reports wait longer).
    static func latenessText(_ s: Snapshot) -> String {
        let live = Compact.seconds(s.lateness)
        guard s.intervalLateness != s.lateness else { return "≤" + live }
        let reports = s.intervalLateness % 3_600 == 0 ? "\(s.intervalLateness / 3_600)h" : Compact.seconds(s.intervalLateness)
        return "≤\(live)/\(reports)"
    }

    /// The merged view's analyzers: how many publish, each one's lag and partitions (or how long it
    /// has been silent), and any record the merge missed or counted twice.
    func mergedLines(_ m: DashboardFeed.MergedInfo, width: Int, into lines: inout [[(String, Style)]]) {
        let active = m.analyzers.filter(\.active).count
        var head: [(String, Style)] = [("merged view ", .dim), ("\(active) analyzer\(active == 1 ? "" : "s")", active > 0 ? .strong : .warn)]
        if active == 0 { head.append((" (start logtop analyze)", .dim)) }
        lines.append(head)
        if m.uncovered > 0 || m.doubleCounted > 0 {
            lines.append([("uncovered ", .dim), (Compact.count(Int(m.uncovered)), m.uncovered > 0 ? .bad : .strong),
                          ("  double-counted ", .dim), (Compact.count(Int(m.doubleCounted)), m.doubleCounted > 0 ? .bad : .strong)])
        }
        for a in m.analyzers {
            let name = cut(a.name, max(4, width / 2)) + " "
            if a.active {
                let parts = a.partitions.isEmpty ? "" : " p" + a.partitions.map(String.init).joined(separator: ",")
                lines.append([(name, .normal), ("lag ", .dim), (Compact.count(Int(a.lag)), a.lag > 10_000 ? .warn : .strong), (parts, .dim)])
            } else {
                lines.append([(name, .dim), ("silent \(Compact.seconds(a.silentSeconds))", .warn)])
            }
        }
    }

    /// `text` cut to `room` columns, keeping its end (a path's file name matters most).
    func cut(_ text: String, _ room: Int) -> String {
        guard width(text) > room, room > 1 else { return text }
        return "…" + String(text.suffix(room - 1))
    }

    /// Every alert rule: threshold, window, on/off, firing; the selected one highlighted.
    mutating func drawRulesPane(_ rect: Rect) {
        let inner = rect.inset(1)
        buffer.box(rect, title: "Alert rules", info: "Tab select, \(ascii ? "Up/Dn" : glyphs.up + glyphs.down) threshold", glyphs: glyphs)
        guard inner.height >= 1, inner.width >= 16 else { return }
        let firing = Set(traffic.active.map(\.rule))
        for (i, r) in rules.prefix(inner.height).enumerated() {
            let y = inner.y + i
            let selected = r.kind == state.selectedRule
            let mark = firing.contains(r.kind) ? glyphs.firing : " "
            let text = "\(selected ? glyphs.next : " ") \(pad(r.kind.rawValue, 16))"
                + "\(comparison(r.kind)) \(Format.number(r.threshold)) \(r.unit)\(r.isCapacityLimit ? " absolute" : "")"
            let tail = "\(r.window) s \(r.enabled ? "on " : "off")\(mark)"
            let left = pad(text, max(0, inner.width - width(tail) - 1))
            let style: Style = selected ? .selected : (firing.contains(r.kind) ? (Self.isCritical(r.kind) ? .bad : .warn) : .normal)
            buffer.put(left + " " + tail, x: inner.x, y: y, style: style, limit: inner.width)
            if !r.enabled && !selected { buffer.restyle(Rect(x: inner.x, y: y, width: inner.width, height: 1), .dim) }
        }
    }
}
