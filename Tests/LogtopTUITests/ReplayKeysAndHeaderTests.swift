import LogtopCore
@testable import LogtopTUI
import Testing

/// A paced replay (`--replay-speed`) on the dashboard: `p` and `+`/`-` act on the replay, the title
/// bar shows the log's time, the speed and the gaps skipped, at 80×24 too.
@Suite struct ReplayKeysAndHeaderTests {
    static let logTime: Int64 = 1_793_498_530  // 2026-11-01 02:02:10 UTC

    static func replayFeed(speed: Double = 60, paused: Bool = false, skips: Int = 0, generator: Bool = false) -> DashboardFeed {
        var feed = liveFeed(Fixtures.normal)
        feed.generator.enabled = generator
        feed.replay = DashboardFeed.ReplayInfo(speed: speed, paused: paused, logTime: logTime, skips: skips,
                                               lastSkipSeconds: skips > 0 ? 10_801 : nil)
        return feed
    }

    @Test func pPausesAndResumesTheReplay() {
        let (s, commands) = KeyMap.handle(.char("p"), state: DashboardState(), feed: Self.replayFeed())
        #expect(commands == [.toggleReplayPause])
        #expect(s.flash == "replay paused")
        let (s2, _) = KeyMap.handle(.char("p"), state: DashboardState(), feed: Self.replayFeed(paused: true))
        #expect(s2.flash == "replay resumed")
        // With a generator in the same run, both pause.
        let (_, both) = KeyMap.handle(.char("p"), state: DashboardState(), feed: Self.replayFeed(generator: true))
        #expect(both == [.toggleReplayPause, .togglePause])
    }

    @Test func plusAndMinusStepTheReplaySpeed() {
        let (s, up) = KeyMap.handle(.char("+"), state: DashboardState(), feed: Self.replayFeed())
        #expect(up == [.setReplaySpeed(120)])
        #expect(s.flash == "replay speed 60x -> 120x")
        let (_, down) = KeyMap.handle(.char("-"), state: DashboardState(), feed: Self.replayFeed())
        #expect(down == [.setReplaySpeed(30)])
        let (atTop, none) = KeyMap.handle(.char("+"), state: DashboardState(), feed: Self.replayFeed(speed: 3_600))
        #expect(none.isEmpty)
        #expect(atTop.flash == "replay speed is at its maximum 3600x")
        // Without a replay, + is still the generator's rate.
        let (_, rate) = KeyMap.handle(.char("+"), state: DashboardState(), feed: liveFeed(Fixtures.normal))
        #expect(rate == [.scaleRate(KeyMap.rateFactor)])
    }

    @Test func theTitleBarShowsTheLogsTimeTheSpeedAndSkippedGapsAt80x24() {
        let b = render(Self.replayFeed(skips: 1), DashboardState(), 80, 24)
        let header = b.line(0)
        #expect(header.contains("log 2026-11-01 02:02:10"), "\(header)")
        #expect(header.contains("replay 60x"), "\(header)")
        #expect(!header.contains("UTC"), "the wall clock is replaced by the log's time: \(header)")
        let wide = render(Self.replayFeed(skips: 1), DashboardState(), 130, 30).line(0)
        #expect(wide.contains("skipped a gap (last 3h00m)"), "\(wide)")
        let paused = render(Self.replayFeed(paused: true), DashboardState(), 80, 24)
        #expect(paused.line(0).contains("PAUSED"))
        #expect(paused.style(of: "PAUSED") == .alertBadge)
    }

    @Test func anEndedReplaySaysSoAndItsKeysDoNothing() {
        var feed = Self.replayFeed()
        feed.replay?.ended = true
        for key in ["p", "+", "-"] {
            let (s, commands) = KeyMap.handle(.char(Character(key)), state: DashboardState(), feed: feed)
            #expect(commands.isEmpty)
            #expect(s.flash == "the replay is over")
        }
        let header = render(feed, DashboardState(), 80, 24).line(0)
        #expect(header.contains("replay over") && header.contains("log 2026-11-01 02:02:10"), "\(header)")
    }

    @Test func theHelpOverlaySaysWhatPAndPlusMinusDoInAReplay() {
        var state = DashboardState()
        state.helpVisible = true
        for (w, h) in [(80, 24), (120, 40)] {
            let text = render(Self.replayFeed(), state, w, h).text
            #expect(text.contains("Replay (--replay-speed) p pauses it, + - change its speed"), "help at \(w)x\(h)")
        }
    }

    @Test func gapLengthsReadAsLogTime() {
        #expect(DashboardFeed.ReplayInfo.span(42) == "42s")
        #expect(DashboardFeed.ReplayInfo.span(425) == "7m05s")
        #expect(DashboardFeed.ReplayInfo.span(12_000) == "3h20m")
        #expect(DashboardFeed.ReplayInfo.span(187_200) == "2d04h")
        #expect(DashboardFeed.ReplayInfo(speed: 2.5).speedText == "2.5x")
    }
}
