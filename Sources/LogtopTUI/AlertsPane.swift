import LogtopCore

extension DashboardRenderer {
    /// Alerts: the selected rule and its threshold (changed with the arrow keys), the firing alerts
    /// pinned, then the log of firing and resolved events, newest first, coloured by severity.
    mutating func drawAlertsPane(_ rect: Rect) {
        let inner = rect.inset(1)
        let snap = traffic
        let active = snap.active
        let events = state.visibleAlerts(snap)
        let scroll = min(state.alertScroll, max(0, events.count - 1))
        var info = active.isEmpty ? "none firing" : "\(active.count) firing"
        if scroll > 0 { info += ", log from #\(scroll + 1) of \(events.count)" }
        buffer.box(rect, title: "Alerts", info: info, glyphs: glyphs, titleStyle: active.isEmpty ? .title : .bad)
        guard inner.height >= 1, inner.width >= 20 else { return }
        var y = inner.y

        // The selected rule.
        if let rule = rules.first(where: { $0.kind == state.selectedRule }) ?? rules.first {
            var parts: [(String, Style)] = [
                ("rule ", .dim), (glyphs.previous, .dim), (" \(rule.kind.rawValue) ", .selected), (glyphs.next, .dim),
                (" \(comparison(rule.kind)) ", .dim),
                ("\(Format.number(rule.threshold)) \(rule.unit)", state.pendingThresholds[rule.kind] != nil ? .accent : .strong),
                (" over \(rule.window) s\(rule.isCapacityLimit ? ", absolute" : "")", .dim),
                ("  \(ascii ? "Up/Dn" : glyphs.up + glyphs.down) \(ascii ? "+/-" : "±")\(Format.number(rule.step))", .dim),
            ]
            if !rule.enabled { parts.append(("  DISABLED", .warn)) }
            spans(parts, x: inner.x, y: y, limit: inner.width)
            y += 1
        }

        // Firing alerts, pinned: value, offender, since when.
        for a in active where y < inner.maxY {
            let latest = snap.recentAlerts.first { $0.rule == a.rule && $0.state == .firing && $0.offender == a.offender }
            let style: Style = Self.isCritical(a.rule) ? .bad : .warn
            var parts: [(String, Style)] = [("\(glyphs.firing) \(a.rule.rawValue)", style)]
            if let o = a.offender { parts.append(("  \(o)", .normal)) }
            if let e = latest {
                parts.append(("  \(Format.number(e.value, decimals: 1)) \(e.unit) \(comparison(e.rule)) \(Format.number(e.threshold))", .strong))
            }
            parts.append(("  since \(CivilTime.clock(a.since))", .dim))
            spans(parts, x: inner.x, y: y, limit: inner.width)
            y += 1
        }

        // The log.
        guard y < inner.maxY else { return }
        if events.isEmpty {
            let msg = state.clearedAlerts != nil ? "alert log cleared" : "no alert events yet"
            buffer.put(fit(msg, inner.width), x: inner.x, y: y, style: .dim)
            if feed.generator.enabled, state.clearedAlerts == nil, y + 2 < inner.maxY {
                let hint = "try keys 1-6 (3: one client flooding) to make one fire"
                buffer.put(fit(hint, inner.width), x: inner.x, y: y + 2, style: .dim)
            }
            return
        }
        // Narrow panes mark the state with a coloured glyph instead of a word.
        let words = inner.width >= 64
        for e in events.dropFirst(scroll) where y < inner.maxY {
            let firing = e.state == .firing
            let style: Style = firing ? (Self.isCritical(e.rule) ? .bad : .warn) : .good
            let stateText = words ? pad(firing ? "FIRING" : "resolved", 9) : (firing ? glyphs.firing : glyphs.resolved) + " "
            var parts: [(String, Style)] = [
                (CivilTime.clock(e.time) + " ", .dim),
                (stateText, style),
                (pad(e.rule.rawValue, words ? 16 : e.rule.rawValue.count + 1), firing ? style : .normal),
                ("\(Format.number(e.value, decimals: 1))\(words ? " " + e.unit : "") \(firing ? comparison(e.rule) : (e.rule == .rateDrop ? ">" : "<")) \(Format.number(e.threshold))", .strong),
            ]
            if let o = e.offender { parts.append(("  \(o)", .normal)) }
            spans(parts, x: inner.x, y: y, limit: inner.width)
            y += 1
        }
    }
}
