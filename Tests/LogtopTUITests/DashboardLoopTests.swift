import LogtopCore
import Testing
@testable import LogtopTUI

/// A terminal that plays back keys and records frames.
final class ScriptedTerminal: TerminalBackend {
    var size: (width: Int, height: Int)
    let glyphs: Glyphs
    var keys: [Key?]
    var frames: [ScreenBuffer] = []
    var restored = 0
    var events: [String] = []

    init(keys: [Key?], width: Int = 80, height: Int = 24, glyphs: Glyphs = .unicode) {
        self.keys = keys
        size = (width, height)
        self.glyphs = glyphs
    }

    func present(_ buffer: ScreenBuffer) { frames.append(buffer); events.append("present") }

    func readKey(timeoutMs: Int) -> Key? {
        guard !keys.isEmpty else { return .char("q") }
        let k = keys.removeFirst()
        if k == .resize { size = (60, 20) }
        return k
    }

    func invalidate() { events.append("invalidate") }
    func restore() { restored += 1; events.append("restore") }
}

struct Boom: Error {}

@Suite("Event loop")
struct DashboardLoopTests {
    @Test func keysBecomeCommandsAndQRestoresTheTerminal() throws {
        let t = ScriptedTerminal(keys: [.char("p"), nil, .up, .char("3"), .char("q")])
        var sent: [Command] = []
        let exit = try DashboardLoop(frameInterval: 0).run(terminal: t, feed: { liveFeed(Fixtures.normal) },
                                                          send: { sent.append($0) }, stopRequested: { false })
        #expect(exit == .quit)
        #expect(sent == [.togglePause, .setThreshold(.errorRate, 6), .scenario(.flood, seconds: 60)])
        #expect(t.restored >= 1)
        #expect(t.events.last == "restore")
        #expect(t.frames.count >= 4)
    }

    @Test func stopRequestEndsTheLoopAndRestores() throws {
        let t = ScriptedTerminal(keys: [nil, nil, nil, nil])
        var polls = 0
        let exit = try DashboardLoop(frameInterval: 0).run(terminal: t, feed: { liveFeed(Fixtures.normal) },
                                                          send: { _ in }, stopRequested: { polls += 1; return polls > 2 })
        #expect(exit == .stopRequested)
        #expect(t.restored >= 1)
    }

    @Test func resizeRedrawsAtTheNewSize() throws {
        let t = ScriptedTerminal(keys: [.resize, .char("q")])
        _ = try DashboardLoop(frameInterval: 0).run(terminal: t, feed: { liveFeed(Fixtures.normal) }, send: { _ in },
                                                    stopRequested: { false })
        #expect(t.events.contains("invalidate"))
        let last = try #require(t.frames.last)
        #expect(last.width == 60 && last.height == 20)
        #expect(last.contains("Terminal too small"))
    }

    @Test func aFatalErrorRestoresTheTerminalBeforeItIsReported() {
        let t = ScriptedTerminal(keys: [nil, nil])
        var calls = 0
        #expect(throws: Boom.self) {
            _ = try DashboardLoop(frameInterval: 0).run(terminal: t, feed: {
                calls += 1
                if calls == 2 { throw Boom() }
                return liveFeed(Fixtures.normal)
            }, send: { _ in }, stopRequested: { false })
        }
        #expect(t.restored == 1)
        #expect(t.events.last == "restore")
    }

    @Test func freezeKeepsTheTrafficPanesWhileTheFeedMovesOn() throws {
        let before = liveFeed(Fixtures.normal)
        var after = liveFeed(Fixtures.flood)
        after.generator.paused = true
        var n = 0
        let t = ScriptedTerminal(keys: [.char("f"), nil, .char("q")], width: 120, height: 40)
        _ = try DashboardLoop(frameInterval: 0).run(terminal: t, feed: {
            n += 1
            return n <= 1 ? before : after
        }, send: { _ in }, stopRequested: { false })
        let frame = try #require(t.frames.last)
        #expect(frame.line(0).contains("FROZEN"))
        #expect(frame.line(0).contains("PAUSED"))  // pipeline state stays live
        #expect(frame.contains("lines \(before.snapshot.linesSeen)"))
        #expect(!frame.contains("lines \(after.snapshot.linesSeen)"))
    }
}
