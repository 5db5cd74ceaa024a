import Foundation
import LogtopCore
@testable import LogtopTUI

/// 2026-11-26T13:00:00Z.
let fixtureStart: Int64 = 1_795_784_400

/// A real snapshot: `seconds` of generated traffic at `rate` lines/s through the analysis engine, with
/// `scenario` from second `scenarioFrom` on.
func trafficSnapshot(seconds: Int = 70, rate: Int = 60, scenario: TrafficScenario? = nil, scenarioFrom: Int = 30,
                     withLatency: Bool = true) -> Snapshot {
    var model = TrafficModel(seed: 7)
    var engine = AnalysisEngine()
    for s in 0..<seconds {
        let t = fixtureStart + Int64(s)
        let sc = s >= scenarioFrom ? scenario : nil
        let background = Double(rate) * (sc?.rateMultiplier ?? 1)
        let n = Int(background + (sc?.injectedRate(background: background) ?? 0))
        for _ in 0..<n {
            var line = model.nextLine(time: t, scenario: sc)
            if !withLatency, let r = line.range(of: "\" ", options: .backwards) {
                // Cut the request time off the end: combined format without %D.
                line = String(line[..<r.lowerBound]) + "\""
            }
            engine.ingest(line: line)
        }
    }
    return engine.snapshot()
}

/// A feed as the wiring would fill it while the generator runs.
func liveFeed(_ snapshot: Snapshot = trafficSnapshot(), paused: Bool = false, scenario: TrafficScenario? = nil) -> DashboardFeed {
    DashboardFeed(
        snapshot: snapshot, broker: "127.0.0.1:40521", embedded: true, connected: true,
        produced: 4200, delivered: 4195, failed: 0, inFlight: 5, consumerLag: 12, lostLines: 0,
        alertsPublished: snapshot.recentAlerts.count, alertsFailed: 0,
        generator: DashboardFeed.GeneratorInfo(enabled: true, rate: 200, paused: paused, scenario: scenario,
                                               scenarioSecondsLeft: scenario == nil ? nil : 42, generated: 4200),
        now: (snapshot.eventTime ?? fixtureStart) + 1)
}

/// Cached fixtures: building a snapshot runs the engine over thousands of lines.
enum Fixtures {
    static let normal = trafficSnapshot()
    static let flood = trafficSnapshot(seconds: 70, scenario: .flood, scenarioFrom: 30)
    static let noLatency = trafficSnapshot(seconds: 20, withLatency: false)
}

func render(_ feed: DashboardFeed, _ state: DashboardState = DashboardState(), _ w: Int, _ h: Int,
            glyphs: Glyphs = .unicode) -> ScreenBuffer {
    DashboardRenderer.render(feed: feed, state: state, width: w, height: h, glyphs: glyphs)
}

extension ScreenBuffer {
    /// True when no cell holds a control character, a DEL/C1 control or a bidi override.
    var isTerminalSafe: Bool {
        cells.allSatisfy { cell in cell.text.unicodeScalars.allSatisfy { DisplayText.isDrawable($0) } }
    }

    var isASCII: Bool { cells.allSatisfy { $0.text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F } } }

    /// Rows of the rectangle whose text contains `s`.
    func rows(in rect: Rect, containing s: String) -> [Int] {
        (rect.y..<rect.maxY).filter { y in text(in: Rect(x: rect.x, y: y, width: rect.width, height: 1)).contains(s) }
    }

    /// The style of the first cell of the first occurrence of `s`.
    func style(of s: String) -> Style? {
        for y in 0..<height {
            let l = Array(line(y))
            let target = Array(s)
            guard l.count >= target.count else { continue }
            for x in 0...(l.count - target.count) where Array(l[x..<(x + target.count)]) == target {
                // Map the character index back to a column (wide characters take two cells).
                var col = 0, chars = 0
                while chars < x, col < width {
                    if !self[col, y].isContinuation { chars += 1 }
                    col += 1
                }
                while col < width, self[col, y].isContinuation { col += 1 }
                return self[col, y].style
            }
        }
        return nil
    }
}
