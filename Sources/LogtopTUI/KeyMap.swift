import LogtopCore

/// What a key does.
public enum KeyAction: Sendable, Equatable {
    case togglePause
    case rateUp, rateDown
    case nextRule, previousRule
    case raiseThreshold, lowerThreshold
    case toggleRule
    case scenario(TrafficScenario)
    case stopScenario
    case freeze
    case nextTopList, nextSort
    case clearAlerts
    case scrollOlder, scrollNewer, scrollNewest
    case startFilter
    /// `n` selects the next top-list row, `N` the previous one.
    case selectRow
    case drill
    case toggleHelp, closeHelp
    case redraw
    case quit
}

/// One line of the key table: the keys, how help shows them, and what they do.
public struct KeyBinding: Sendable, Equatable {
    public var keys: [Key]
    /// How the keys are written in help, Unicode and ASCII.
    public var label: String
    public var asciiLabel: String
    public var help: String
    public var action: KeyAction

    public init(_ keys: [Key], _ label: String, ascii: String? = nil, _ help: String, _ action: KeyAction) {
        self.keys = keys
        self.label = label
        self.asciiLabel = ascii ?? label
        self.help = help
        self.action = action
    }
}

/// The key table (htop style): every key the dashboard knows, its help line, and the pure function
/// that applies a key to the view state and says which commands to send.
public enum KeyMap {
    /// Generation rate factor of `+` (and its inverse for `-`).
    public static let rateFactor = 1.25
    /// Seconds a scenario started from the keyboard runs.
    public static let scenarioSeconds = 60
    /// Seconds a footer message stays.
    public static let flashSeconds: Int64 = 4

    public static let bindings: [KeyBinding] = {
        var b: [KeyBinding] = [
            KeyBinding([.char("p")], "p", "pause / resume generator", .togglePause),
            KeyBinding([.char("+"), .char("=")], "+", "generation rate x1.25", .rateUp),
            KeyBinding([.char("-"), .char("_")], "-", "generation rate /1.25", .rateDown),
            KeyBinding([.tab, .char("]")], "Tab ]", "select next alert rule", .nextRule),
            KeyBinding([.backTab, .char("[")], "S-Tab [", "select previous rule", .previousRule),
            KeyBinding([.up, .char(">"), .char(".")], "↑ >", ascii: "Up >", "raise rule threshold", .raiseThreshold),
            KeyBinding([.down, .char("<"), .char(",")], "↓ <", ascii: "Down <", "lower rule threshold", .lowerThreshold),
            KeyBinding([.char("e")], "e", "enable / disable the rule", .toggleRule),
        ]
        for (i, s) in TrafficScenario.allCases.enumerated() {
            b.append(KeyBinding([.char(Character(String(i + 1)))], String(i + 1), "scenario \(s.rawValue) (\(scenarioSeconds) s)", .scenario(s)))
        }
        b += [
            KeyBinding([.char("0")], "0", "stop the scenario", .stopScenario),
            KeyBinding([.char("f")], "f", "freeze / unfreeze display", .freeze),
            KeyBinding([.char("t")], "t", "cycle the top list", .nextTopList),
            KeyBinding([.char("s")], "s", "cycle the top-list sort", .nextSort),
            KeyBinding([.char("c")], "c", "clear the alert log", .clearAlerts),
            KeyBinding([.char("/")], "/", "filter requests", .startFilter),
            KeyBinding([.char("n"), .char("N")], "n N", "select next / prev. row", .selectRow),
            KeyBinding([.enter], "Enter", "drill into the row", .drill),
            KeyBinding([.pageDown, .char("j")], "PgDn j", "scroll alert log: older", .scrollOlder),
            KeyBinding([.pageUp, .char("k")], "PgUp k", "scroll alert log: newer", .scrollNewer),
            KeyBinding([.home, .char("g")], "Home g", "alert log: newest first", .scrollNewest),
            KeyBinding([.char("?"), .char("h"), .function(1)], "? h F1", "show / hide this help", .toggleHelp),
            KeyBinding([.escape], "Esc", "close help, clear filter", .closeHelp),
            KeyBinding([.control("l")], "Ctrl-L", "redraw the screen", .redraw),
            KeyBinding([.char("q"), .char("Q"), .control("c")], "q", "quit (Ctrl-C too)", .quit),
        ]
        return b
    }()

    private static let table: [Key: KeyAction] = {
        var t: [Key: KeyAction] = [:]
        for b in bindings { for k in b.keys { t[k] = b.action } }
        return t
    }()

    /// Keys shown in the footer, most important first: (key, label).
    public static let footer: [(key: String, asciiKey: String, label: String)] = [
        ("p", "p", "Pause"), ("+-", "+-", "Rate"), ("Tab", "Tab", "Rule"), ("↑↓", "<>", "Threshold"),
        ("1-6", "1-6", "Scenario"), ("f", "f", "Freeze"), ("t", "t", "Top"), ("s", "s", "Sort"),
        ("c", "c", "Clear"), ("/", "/", "Filter"), ("?", "?", "Help"), ("q", "q", "Quit"),
    ]

    public static func action(for key: Key) -> KeyAction? { table[key] }

    /// The lines of the help overlay: every binding, the scenario keys merged into one line.
    public static func helpEntries(ascii: Bool) -> [(keys: String, help: String)] {
        var out: [(String, String)] = []
        var scenarioKeys: [String] = []
        for b in bindings {
            if case .scenario = b.action {
                scenarioKeys.append(b.label)
                if scenarioKeys.count == TrafficScenario.allCases.count {
                    out.append(("\(scenarioKeys.first!)-\(scenarioKeys.last!)", "start a scenario (\(scenarioSeconds) s)"))
                }
                continue
            }
            out.append((ascii ? b.asciiLabel : b.label, b.help))
        }
        return out
    }

    /// The rows of the top list as shown (live or frozen, in the chosen order).
    static func topRows(_ s: DashboardState, _ feed: DashboardFeed) -> [TopEntry] {
        let snapshot = s.frozenSnapshot ?? feed.snapshot
        return DashboardRenderer.topEntries(snapshot.window, mode: s.topList, sort: s.topList.hasErrorShares ? s.sort : .hits)
    }

    /// While a filter is typed after `/`: characters edit it, `Enter` applies it (an empty one clears the
    /// filter; a bad one stays open with what is wrong and changes nothing), `Esc` gives up.
    static func handleFilterInput(_ key: Key, state: DashboardState, feed: DashboardFeed) -> (DashboardState, [Command]) {
        var s = state
        var text = s.filterInput ?? ""
        switch key {
        case .char(let c):
            text.append(c)
            s.filterError = nil
        case .backspace:
            if !text.isEmpty { text.removeLast() }
            s.filterError = nil
        case .escape:
            s.filterInput = nil
            s.filterError = nil
            return (s, [])
        case .control("c"):
            s.quitRequested = true
            return (s, [])
        case .enter:
            let trimmed = text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            if trimmed.isEmpty {
                s.filterInput = nil
                guard s.filter != nil else { return (s, []) }
                s.filter = nil
                s.filterSince = nil
                s.drill = nil
                s.flash = "filter cleared"
                s.flashUntil = feed.now + flashSeconds
                return (s, [.setFilter(nil)])
            }
            do {
                _ = try LineFilter(text)
            } catch {
                s.filterError = error
                return (s, [])
            }
            s.filterInput = nil
            s.filter = text
            s.drill = nil
            s.filterSince = feed.snapshot.eventTime
            s.flash = "filter \(text): counting from now"
            s.flashUntil = feed.now + flashSeconds
            return (s, [.setFilter(text)])
        default:
            break
        }
        s.filterInput = text
        return (s, [])
    }

    /// Applies `key` to `state`: the new state and the commands for the pipeline.
    public static func handle(_ key: Key, state: DashboardState, feed: DashboardFeed) -> (DashboardState, [Command]) {
        if state.filterInput != nil { return handleFilterInput(key, state: state, feed: feed) }
        var s = state
        guard let action = action(for: key) else { return (s, []) }
        var commands: [Command] = []
        func flash(_ text: String) {
            s.flash = text
            s.flashUntil = feed.now + flashSeconds
        }
        let rules = s.rules(feed)
        let selected = rules.firstIndex { $0.kind == s.selectedRule }
        switch action {
        case .togglePause:
            if let r = feed.replay, r.ended, !feed.generator.enabled { flash("the replay is over"); break }
            if let r = feed.replay, !r.ended {
                // A paced replay (and the generator too when the run has both).
                commands.append(.toggleReplayPause)
                if feed.generator.enabled { commands.append(.togglePause) }
                flash(r.paused ? "replay resumed" : "replay paused")
                break
            }
            guard feed.generator.enabled else { flash("no generator in this run (--source)"); break }
            commands.append(.togglePause)
            flash(feed.generator.paused ? "generator resumed" : "generator paused")
        case .rateUp, .rateDown:
            if let r = feed.replay, r.ended, !feed.generator.enabled { flash("the replay is over"); break }
            if let r = feed.replay, !r.ended {
                let speed = ReplayClock.stepped(r.speed, up: action == .rateUp)
                guard speed != r.speed else { flash("replay speed is at its \(action == .rateUp ? "maximum" : "minimum") \(r.speedText)"); break }
                commands.append(.setReplaySpeed(speed))
                flash("replay speed \(r.speedText) -> \(DashboardFeed.ReplayInfo(speed: speed).speedText)")
                break
            }
            guard feed.generator.enabled else { flash("no generator in this run (--source)"); break }
            let f = action == .rateUp ? rateFactor : 1 / rateFactor
            commands.append(.scaleRate(f))
            flash("generation rate \(Format.number(Command.clampedRate(feed.generator.rate * f))) lines/s")
        case .nextRule, .previousRule:
            guard !rules.isEmpty else { break }
            let i = selected ?? -1
            let n = rules.count
            let j = action == .nextRule ? (i + 1) % n : (i - 1 + n) % n
            s.selectedRule = rules[max(0, j)].kind
        case .raiseThreshold, .lowerThreshold:
            guard let i = selected else { break }
            let r = rules[i]
            let stepped = r.threshold + (action == .raiseThreshold ? r.step : -r.step)
            let value = r.clampedThreshold(stepped)
            guard value != r.threshold else { flash("\(r.kind.rawValue) threshold is at its minimum"); break }
            s.pendingThresholds[r.kind] = value
            commands.append(.setThreshold(r.kind, value))
            flash("\(r.kind.rawValue) threshold \(Format.number(r.threshold)) -> \(Format.number(value)) \(r.unit)")
        case .toggleRule:
            guard let i = selected else { break }
            let r = rules[i]
            s.pendingEnabled[r.kind] = !r.enabled
            commands.append(.setRuleEnabled(r.kind, !r.enabled))
            flash("\(r.kind.rawValue) \(r.enabled ? "disabled" : "enabled")")
        case .scenario(let sc):
            guard feed.generator.enabled else { flash("no generator in this run (--source)"); break }
            commands.append(.scenario(sc, seconds: scenarioSeconds))
            flash("scenario \(sc.rawValue) for \(scenarioSeconds) s: \(sc.summary)")
        case .stopScenario:
            guard feed.generator.enabled else { break }
            commands.append(.scenario(nil, seconds: nil))
            flash(feed.generator.scenario.map { "scenario \($0.rawValue) stopped" } ?? "no scenario running")
        case .freeze:
            s.frozenSnapshot = s.isFrozen ? nil : feed.snapshot
            flash(s.isFrozen ? "display frozen (the pipeline keeps running)" : "display live")
        case .nextTopList:
            s.topList = s.topList.next
            s.selectedRow = nil
        case .nextSort:
            s.sort = s.sort.next
            s.selectedRow = nil
        case .clearAlerts:
            s.clearedAlerts = AlertLogMark(events: (s.frozenSnapshot ?? feed.snapshot).recentAlerts)
            s.alertScroll = 0
            flash("alert log cleared")
        case .scrollOlder:
            let count = s.visibleAlerts(s.frozenSnapshot ?? feed.snapshot).count
            s.alertScroll = min(s.alertScroll + 1, max(0, count - 1))
        case .scrollNewer:
            s.alertScroll = max(0, s.alertScroll - 1)
        case .scrollNewest:
            s.alertScroll = 0
        case .toggleHelp:
            s.helpVisible.toggle()
        case .closeHelp:
            if s.helpVisible {
                s.helpVisible = false
            } else if s.filter != nil {
                s.filter = nil
                s.filterSince = nil
                s.drill = nil
                commands.append(.setFilter(nil))
                flash("filter cleared")
            }
        case .selectRow:
            let next = key != .char("N")
            let count = topRows(s, feed).count
            guard count > 0 else { s.selectedRow = nil; flash("no rows in the top list"); break }
            if let r = s.selectedRow {
                s.selectedRow = next ? min(count - 1, r + 1) : max(0, r - 1)
            } else {
                s.selectedRow = next ? 0 : count - 1
            }
        case .drill:
            let rows = topRows(s, feed)
            guard let r = s.selectedRow, r < rows.count else { flash("select a top-list row first (n / N)"); break }
            let key = rows[r].key
            guard !key.contains("\"") else { flash("cannot drill into a key with a double quote"); break }
            let field: String
            switch s.topList {
            case .urls: field = "path"
            case .clients: field = "client"
            case .referrers: field = "referrer"
            case .userAgents: field = "ua"
            }
            // `=`: that key exactly as the list shows it (`:` would ignore the case of referrers and
            // user agents and take `*`/`?` as a glob, counting other rows of the list too).
            let expression = "\(field)=\"\(key)\""
            guard (try? LineFilter(expression)) != nil else { flash("cannot drill into \(key)"); break }
            s.filter = expression
            s.filterSince = feed.snapshot.eventTime
            s.drill = "\(s.topList.column) \(key)"
            s.selectedRow = nil
            commands.append(.setFilter(expression))
            flash("\(s.topList.column) \(key): counted from now; Esc returns")
        case .startFilter:
            s.filterInput = s.filter ?? ""
            s.filterError = nil
        case .redraw:
            break
        case .quit:
            s.quitRequested = true
        }
        return (s, commands)
    }
}
