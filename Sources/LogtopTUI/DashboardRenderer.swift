import LogtopCore

/// Draws the dashboard from a value: the feed (data) and the state (view choices) become a
/// `ScreenBuffer`. Pure: no terminal, no clock, no I/O, so tests can draw any situation at any size.
public struct DashboardRenderer {
    public let feed: DashboardFeed
    public let state: DashboardState
    public let glyphs: Glyphs
    var buffer: ScreenBuffer

    /// Draws the whole screen, or the "terminal too small" message below 80×24.
    public static func render(feed: DashboardFeed, state: DashboardState, width: Int, height: Int,
                              glyphs: Glyphs = .unicode) -> ScreenBuffer {
        var r = DashboardRenderer(feed: feed, state: state, glyphs: glyphs,
                                  buffer: ScreenBuffer(width: width, height: height, asciiOnly: !glyphs.unicode))
        if let layout = DashboardLayout.compute(width: width, height: height) {
            r.draw(layout)
        } else {
            r.drawTooSmall()
        }
        return r.buffer
    }

    /// The snapshot the traffic panes show: live, or the one frozen with `f`.
    var traffic: Snapshot { state.frozenSnapshot ?? feed.snapshot }
    var ascii: Bool { !glyphs.unicode }
    var rules: [AlertRule] { state.rules(feed) }

    mutating func draw(_ layout: DashboardLayout) {
        drawHeader(layout.header)
        drawRatePane(layout.rate)
        drawStatusPane(layout.status)
        drawTopListPane(layout.topList)
        drawLatencyPane(layout.latency)
        drawAlertsPane(layout.alerts)
        drawPipelinePane(layout.pipeline)
        if let r = layout.rules { drawRulesPane(r) }
        drawFooter(layout.footer)
        if state.helpVisible { drawHelp() }
    }

    // MARK: - Text helpers

    /// `text` cut to `width` columns with an ellipsis.
    func fit(_ text: String, _ width: Int) -> String {
        DisplayText.fit(text, width, ellipsis: glyphs.ellipsis, asciiOnly: ascii)
    }

    func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        DisplayText.pad(text, width, right: right, ellipsis: glyphs.ellipsis, asciiOnly: ascii)
    }

    func width(_ text: String) -> Int { DisplayText.width(text, asciiOnly: ascii) }

    /// Writes consecutive styled segments from (x, y), within `limit` columns; returns columns used.
    @discardableResult
    mutating func spans(_ parts: [(String, Style)], x: Int, y: Int, limit: Int) -> Int {
        var used = 0
        for (text, style) in parts {
            guard used < limit else { break }
            used += buffer.put(text, x: x + used, y: y, style: style, limit: limit - used)
        }
        return used
    }

    /// Severity of an alert kind: critical ones are drawn red, the others yellow.
    static func isCritical(_ kind: AlertKind) -> Bool {
        switch kind {
        case .errorRate, .rateDrop, .latencyP95: return true
        case .rateHigh, .rateSpike, .clientFlood, .notFoundSurge: return false
        }
    }

    func comparison(_ kind: AlertKind) -> String { kind == .rateDrop ? glyphs.atMost : glyphs.atLeast }

    // MARK: - Header and footer

    mutating func drawHeader(_ rect: Rect) {
        buffer.fill(rect, style: .header)
        let y = rect.y
        var parts: [(String, Style)] = [(" logtop ", .header)]
        var badges: [(String, Style)] = []
        if feed.generator.paused || feed.replay?.paused == true { badges.append((" PAUSED ", .alertBadge)) }
        if let sc = feed.generator.scenario {
            let left = feed.generator.scenarioSecondsLeft.map { " \(Compact.seconds($0))" } ?? ""
            badges.append((" SCENARIO \(sc.rawValue)\(left) ", .alertBadge))
        }
        if state.isFrozen { badges.append((" FROZEN ", .headerBadge)) }
        if let f = state.filter {
            let since = state.filterSince.map { " since \(CivilTime.clock($0))" } ?? ""
            badges.append((state.drill.map { " DRILL \($0)\(since) " } ?? " FILTER \(f)\(since) ", .headerBadge))
        }
        if !feed.connected { badges.append((" BROKER DOWN ", .alertBadge)) }
        if feed.backPressured { badges.append((" WAITING FOR ANALYZER ", .headerBadge)) }
        for b in badges { parts.append(b); parts.append((" ", .header)) }
        let sep = " \(glyphs.separator) "
        var segments = [(feed.embedded ? "Kafka embedded " : "Kafka ") + feed.broker,
                        feed.connected ? "connected" : "not connected"]
        if let r = feed.replay {
            // The replay first: its speed and skipped gaps matter more than the broker here.
            var replay = [r.ended ? "replay over" : "replay \(r.speedText)"]
            if r.skips > 0, let last = r.lastSkipSeconds {
                replay.append("skipped \(r.skips == 1 ? "a" : "\(r.skips)") gap\(r.skips == 1 ? "" : "s") (last \(DashboardFeed.ReplayInfo.span(last)))")
            }
            segments = replay + segments
        }
        if feed.generator.enabled { segments.append("generator \(Compact.rate(feed.generator.rate))/s") }
        segments.append("window \(traffic.windowSeconds) s")
        // A replay shows the log's time (date and time: a replay is of another day), else the wall clock.
        let clock = feed.replay?.logTime.map { " log \(CivilTime.iso8601($0).prefix(10)) \(CivilTime.clock($0)) " }
            ?? " \(CivilTime.clock(feed.now)) UTC "
        let clockW = width(clock)
        let used = spans(parts, x: rect.x, y: y, limit: rect.width)
        let room = rect.width - used - clockW - 1
        // Whole segments while they fit (the first one cut if it must).
        var info = ""
        for (i, s) in segments.enumerated() {
            let next = i == 0 ? s : info + sep + s
            if width(next) <= room { info = next } else { if i == 0 { info = fit(s, room) }; break }
        }
        if room > 8 { buffer.put(info, x: rect.x + used, y: y, style: .header) }
        if rect.width - used >= clockW { buffer.put(clock, x: rect.maxX - clockW, y: y, style: .header) }
    }

    mutating func drawFooter(_ rect: Rect) {
        buffer.fill(rect, style: .footerLabel)
        let y = rect.y
        if let input = state.filterInput {
            // Typing a filter: the prompt, and what is wrong with it after Enter.
            var x = rect.x + buffer.put("/ ", x: rect.x, y: y, style: .footerKey)
            x += buffer.put(input + "_", x: x, y: y, style: .footerLabel, limit: rect.maxX - x)
            let hint = state.filterError.map { "  \($0)" } ?? "  Enter apply, Esc cancel, e.g. status:5xx path:/api/*"
            buffer.put(hint, x: x, y: y, style: state.filterError != nil ? .warn : .footerLabel, limit: rect.maxX - x)
            return
        }
        var flashText = ""
        if let f = state.flash { flashText = " " + f + " " }
        else if let n = feed.notice { flashText = " " + n + " " }
        let flashRoom = flashText.isEmpty ? 0 : min(width(flashText), rect.width / 2)
        let hintRoom = rect.width - flashRoom
        // Help and Quit always show; the others while they fit, in order of importance.
        let items = KeyMap.footer.map { (ascii ? $0.asciiKey : $0.key, $0.label) }
        func w(_ i: (String, String)) -> Int { width(i.0) + width(i.1) + 2 }
        let essential = items.filter { $0.1 == "Help" || $0.1 == "Quit" }
        var budget = hintRoom - essential.map(w).reduce(0, +)
        var shown: [(String, String)] = []
        for item in items where !essential.contains(where: { $0 == item }) {
            if w(item) <= budget { shown.append(item); budget -= w(item) } else { break }
        }
        shown += essential
        var x = rect.x
        for (key, label) in shown {
            guard x < rect.x + hintRoom else { break }
            x += buffer.put(key, x: x, y: y, style: .footerKey, limit: rect.x + hintRoom - x)
            x += buffer.put(" " + label + " ", x: x, y: y, style: .footerLabel, limit: rect.x + hintRoom - x)
        }
        if flashRoom > 0 {
            let t = fit(flashText, flashRoom)
            buffer.put(t, x: rect.maxX - width(t), y: y, style: state.flash != nil ? .accent : .warn)
        }
    }

    // MARK: - Too small

    mutating func drawTooSmall() {
        let w = buffer.width, h = buffer.height
        guard w > 0, h > 0 else { return }
        let lines: [(String, Style)] = [
            ("Terminal too small", .bad),
            ("\(w) x \(h): logtop needs at least \(DashboardLayout.minimumWidth) x \(DashboardLayout.minimumHeight)", .normal),
            ("Enlarge the window, or press q to quit.", .dim),
        ]
        let top = max(0, (h - lines.count) / 2)
        for (i, (text, style)) in lines.enumerated() where top + i < h {
            let t = fit(text, w)
            buffer.put(t, x: max(0, (w - width(t)) / 2), y: top + i, style: style)
        }
        if feed.generator.paused, h > top + lines.count + 1 {
            let t = fit("(generator PAUSED)", w)
            buffer.put(t, x: max(0, (w - width(t)) / 2), y: top + lines.count + 1, style: .warn)
        }
    }
}
