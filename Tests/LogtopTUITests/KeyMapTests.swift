import Foundation
import LogtopCore
import Testing
@testable import LogtopTUI

@Suite("Key handling")
struct KeyMapTests {
    let feed = liveFeed(Fixtures.normal)

    func press(_ keys: [Key], _ state: DashboardState = DashboardState(), feed: DashboardFeed? = nil) -> (DashboardState, [Command]) {
        var s = state
        var all: [Command] = []
        for k in keys {
            let (next, c) = KeyMap.handle(k, state: s, feed: feed ?? self.feed)
            s = next
            all += c
        }
        return (s, all)
    }

    @Test func pauseRateAndScenarios() {
        #expect(press([.char("p")]).1 == [.togglePause])
        #expect(press([.char("+")]).1 == [.scaleRate(1.25)])
        #expect(press([.char("-")]).1 == [.scaleRate(0.8)])
        let names = TrafficScenario.allCases
        for (i, s) in names.enumerated() {
            #expect(press([.char(Character(String(i + 1)))]).1 == [.scenario(s, seconds: 60)])
        }
        #expect(press([.char("3")]).0.flash?.contains("flood") == true)
        #expect(press([.char("0")]).1 == [.scenario(nil, seconds: nil)])
    }

    @Test func generatorKeysDoNothingWithoutAGenerator() {
        var f = feed
        f.generator.enabled = false
        for k in [Key.char("p"), .char("+"), .char("3")] {
            let (s, c) = press([k], feed: f)
            #expect(c.isEmpty)
            #expect(s.flash?.contains("no generator") == true)
        }
    }

    @Test func selectRuleAndChangeItsThreshold() {
        // Default selection: error_rate (5 %, step 1).
        var (s, c) = press([.up])
        #expect(c == [.setThreshold(.errorRate, 6)])
        #expect(s.rules(feed).first { $0.kind == .errorRate }?.threshold == 6)
        // A second press before the analyzer's snapshot shows the change: builds on the pending value.
        (s, c) = press([.up, .char(">")])
        #expect(c == [.setThreshold(.errorRate, 6), .setThreshold(.errorRate, 7)])
        // Tab moves to rate_high (10,000 req/s, step 1,000); ] and [ too; Shift-Tab goes back.
        (s, c) = press([.tab, .down])
        #expect(s.selectedRule == .rateHigh)
        #expect(c == [.setThreshold(.rateHigh, 9_000)])
        #expect(press([.char("]"), .char("]")]).0.selectedRule == .rateSpike)
        #expect(press([.backTab]).0.selectedRule == .latencyP95)
        #expect(press([.char("[")]).0.selectedRule == .latencyP95)
        // rate_drop: fractional step without float noise.
        var st = DashboardState()
        st.selectedRule = .rateDrop
        #expect(press([.up], st).1 == [.setThreshold(.rateDrop, 0.25)])
        #expect(press([.down, .down, .down], st).1 == [.setThreshold(.rateDrop, 0.15), .setThreshold(.rateDrop, 0.1), .setThreshold(.rateDrop, 0.05)])
    }

    @Test func thresholdsClampAtTheRuleMinimum() {
        var st = DashboardState()
        st.selectedRule = .rateSpike  // 3, step 0.5, minimum 1.1
        let (s, c) = press(Array(repeating: .down, count: 8), st)
        #expect(c.first == .setThreshold(.rateSpike, 2.5))
        #expect(c.last == .setThreshold(.rateSpike, 1.1))
        #expect(c.count == 4)  // 2.5, 2, 1.5, 1.1, then nothing more to lower
        #expect(s.flash?.contains("minimum") == true)
    }

    @Test func pendingThresholdIsForgottenOnceTheSnapshotHasIt() {
        let (s, _) = press([.up])
        var applied = feed
        applied.snapshot.rules = applied.snapshot.rules.map { r in
            var r = r
            if r.kind == .errorRate { r.threshold = 6 }
            return r
        }
        var reconciled = s
        reconciled.reconcile(with: applied)
        #expect(reconciled.pendingThresholds.isEmpty)
        var stale = s
        stale.reconcile(with: feed)
        #expect(stale.pendingThresholds[.errorRate] == 6)
    }

    @Test func enableDisableRule() {
        let (s, c) = press([.char("e")])
        #expect(c == [.setRuleEnabled(.errorRate, false)])
        #expect(s.rules(feed).first { $0.kind == .errorRate }?.enabled == false)
        #expect(press([.char("e"), .char("e")]).1 == [.setRuleEnabled(.errorRate, false), .setRuleEnabled(.errorRate, true)])
    }

    @Test func viewKeysChangeOnlyTheView() {
        var (s, c) = press([.char("f")])
        #expect(c.isEmpty)
        #expect(s.frozenSnapshot == feed.snapshot)
        (s, _) = press([.char("f"), .char("f")])
        #expect(!s.isFrozen)
        (s, _) = press([.char("t")])
        #expect(s.topList == .clients)
        (s, _) = press(Array(repeating: .char("t"), count: 4))
        #expect(s.topList == .urls)
        (s, _) = press([.char("s"), .char("s")])
        #expect(s.sort == .serverErrors)
        (s, _) = press([.char("?")])
        #expect(s.helpVisible)
        #expect(!press([.char("?"), .char("h")]).0.helpVisible)
        #expect(press([.function(1)]).0.helpVisible)
        #expect(!press([.function(1), .escape]).0.helpVisible)
        (s, c) = press([.char("q")])
        #expect(s.quitRequested && c.isEmpty)
        #expect(press([.control("c")]).0.quitRequested)
        #expect(press([.char("x"), .other(999), .left]).1.isEmpty)
    }

    @Test func alertLogScrollStaysInRange() {
        let f = liveFeed(Fixtures.flood)
        let count = f.snapshot.recentAlerts.count
        var s = DashboardState()
        for _ in 0..<(count + 5) { s = KeyMap.handle(.pageDown, state: s, feed: f).0 }
        #expect(s.alertScroll == max(0, count - 1))
        s = KeyMap.handle(.pageUp, state: s, feed: f).0
        #expect(s.alertScroll == max(0, count - 2))
        s = KeyMap.handle(.home, state: s, feed: f).0
        #expect(s.alertScroll == 0)
    }

    @Test func everyBindingIsReachableAndListedInHelp() {
        var seen = Set<Key>()
        for b in KeyMap.bindings {
            for k in b.keys {
                #expect(!seen.contains(k), "\(k) bound twice")
                seen.insert(k)
                #expect(KeyMap.action(for: k) == b.action)
            }
        }
        let help = KeyMap.helpEntries(ascii: false).map(\.keys)
        for b in KeyMap.bindings {
            if case .scenario = b.action { continue }
            #expect(help.contains(b.label))
        }
        #expect(help.contains("1-6"))
    }
}

/// The README's key list is the promise: every key it names does what it says there, and the help
/// overlay shows it. (Checked against the README, not against the key table's own help.)
@Suite struct READMEKeysTests {
    static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("README.md").path

    /// The backticked keys of the README's "Keys:" paragraph, ranges such as `1`–`6` expanded.
    static func readmeKeys() throws -> [String] {
        let text = try String(contentsOfFile: readme, encoding: .utf8)
        let start = try #require(text.range(of: "\nKeys: "))
        let paragraph = String(text[start.upperBound...].prefix { _ in true }).components(separatedBy: "\n\n")[0]
        let sentence = paragraph.components(separatedBy: ". Colours")[0]
        var keys: [String] = []
        var rest = Substring(sentence)
        while let open = rest.firstIndex(of: "`"), let close = rest[rest.index(after: open)...].firstIndex(of: "`") {
            let key = String(rest[rest.index(after: open)..<close])
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix("–`"), let first = Int(key), let endClose = after.dropFirst(2).firstIndex(of: "`"),
               let last = Int(after[after.index(after.startIndex, offsetBy: 2)..<endClose]) {
                keys += (first...last).map(String.init)
                rest = after[after.index(after: endClose)...]
                continue
            }
            keys.append(key)
            rest = after
        }
        return keys
    }

    static func key(_ name: String) -> Key {
        switch name {
        case "Tab": return .tab
        case "↑": return .up
        case "↓": return .down
        case "F1": return .function(1)
        case "Enter": return .enter
        default: return .char(Character(name))
        }
    }

    @Test func everyKeyOfTheREADMEDoesWhatItSays() throws {
        let keys = try Self.readmeKeys()
        #expect(Set(keys) == ["p", "+", "-", "Tab", "↑", "↓", "e", "1", "2", "3", "4", "5", "6", "0", "f", "c", "/", "n", "N", "Enter", "?", "h", "F1", "q"],
                "the README's key list changed: \(keys)")
        let feed = liveFeed(Fixtures.normal)
        let start = DashboardState()
        for name in keys {
            let (s, commands) = KeyMap.handle(Self.key(name), state: start, feed: feed)
            switch name {
            case "p": #expect(commands == [.togglePause], "p pauses/resumes the generator")
            case "+": #expect(commands.count == 1 && { if case .scaleRate(let f) = commands[0] { return f > 1 } else { return false } }())
            case "-": #expect(commands.count == 1 && { if case .scaleRate(let f) = commands[0] { return f < 1 } else { return false } }())
            case "Tab": #expect(s.selectedRule != start.selectedRule, "Tab selects another rule")
            case "↑", "↓":
                let rule = try #require(feed.snapshot.rules.first { $0.kind == start.selectedRule })
                guard case .setThreshold(let kind, let value)? = commands.first else { Issue.record("\(name): \(commands)"); continue }
                #expect(kind == rule.kind && (name == "↑" ? value > rule.threshold : value < rule.threshold))
            case "e": #expect(commands == [.setRuleEnabled(start.selectedRule, false)], "e disables the enabled rule")
            case "0": #expect(commands == [.scenario(nil, seconds: nil)], "0 stops the scenario")
            case "1", "2", "3", "4", "5", "6":
                // spike, errors, flood, scan, slow, drop, for 60 s, in the README's order.
                let order: [TrafficScenario] = [.spike, .errors, .flood, .scan, .slow, .drop]
                #expect(commands == [.scenario(order[Int(name)! - 1], seconds: 60)])
            case "f": #expect(s.isFrozen, "f freezes the display")
            case "c": #expect(s.clearedAlerts != nil, "c clears the alert log")
            case "/": #expect(s.filterInput == "" && commands.isEmpty, "/ opens the filter prompt")
            case "n": #expect(s.selectedRow == 0, "n selects the first top-list row")
            case "N": #expect(s.selectedRow != nil && s.selectedRow! > 0, "N selects from the last row up")
            case "Enter": #expect(commands.isEmpty && s.flash == "select a top-list row first (n / N)", "Enter without a row")
            case "?", "h", "F1": #expect(s.helpVisible, "\(name) shows help")
            case "q": #expect(s.quitRequested)
            default: Issue.record("no expectation for the README's key \(name)")
            }
        }
    }

    @Test func theHelpOverlayListsEveryKeyOfTheREADME() throws {
        let labels = KeyMap.helpEntries(ascii: false).map(\.keys).joined(separator: " ")
        for name in try Self.readmeKeys() where Int(name) == nil {
            #expect(labels.contains(name), "help does not show \(name): \(labels)")
        }
        #expect(labels.contains("1-6"))
    }
}
