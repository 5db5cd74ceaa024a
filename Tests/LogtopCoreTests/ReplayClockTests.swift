import Testing
@testable import LogtopCore

/// The paced replay's clock (`--replay-speed`): pure, wall time passed in, so every case is exact.
@Suite struct ReplayClockTests {
    @Test func theFirstLineAnchorsAndLaterOnesWaitTheirTimeOverTheSpeed() {
        var c = ReplayClock(speed: 60)
        #expect(c.logTime(wall: 100) == nil)
        #expect(c.admit(1_000, wall: 100) == 0)            // anchors: log 1000 at wall 100
        #expect(c.admit(1_000, wall: 100) == 0)            // same second: at once
        #expect(c.admit(1_060, wall: 100) == 1)            // 60 s of log at 60x: 1 s of wall
        #expect(c.admit(1_060, wall: 100.5) == 0.5)
        #expect(c.admit(1_060, wall: 101) == 0)
        #expect(c.logTime(wall: 102) == 1_120)
        #expect(c.admit(990, wall: 102) == 0)              // older than the clock: at once
    }

    @Test func realTimeIsSpeedOne() {
        var c = ReplayClock(speed: 1)
        _ = c.admit(0, wall: 0)
        #expect(c.admit(7, wall: 2) == 5)
    }

    @Test func aPauseFreezesLogTimeAndResumeGoesOnFromThere() {
        var c = ReplayClock(speed: 10)
        _ = c.admit(1_000, wall: 0)
        c.setPaused(true, wall: 1)                          // log 1010
        #expect(c.paused)
        #expect(c.logTime(wall: 50) == 1_010)
        #expect(c.admit(1_011, wall: 50) == .infinity)
        #expect(c.admit(1_005, wall: 50) == .infinity)      // nothing goes while paused
        c.setPaused(false, wall: 60)
        #expect(c.logTime(wall: 60) == 1_010)
        #expect(c.admit(1_020, wall: 60) == 1)
    }

    @Test func aSpeedChangeKeepsTheLogTimeOfThatMoment() {
        var c = ReplayClock(speed: 10)
        _ = c.admit(0, wall: 0)
        c.setSpeed(60, wall: 2)                             // log 20
        #expect(c.speed == 60)
        #expect(c.logTime(wall: 3) == 80)
        c.setSpeed(0, wall: 3)
        #expect(c.speed == ReplayClock.speedRange.lowerBound)
    }

    @Test func gapsLongerThanMaxGapAreSkippedAndCounted() {
        var c = ReplayClock(speed: 1, maxGap: 300)
        _ = c.admit(0, wall: 0)
        #expect(c.admit(300, wall: 0) == 300)              // five minutes: waited for
        #expect(c.skips == 0)
        #expect(c.admit(10_800, wall: 0) == 0)             // three hours: skipped
        #expect(c.skips == 1)
        #expect(c.lastSkip == ReplayClock.Skip(from: 0, to: 10_800))
        #expect(c.logTime(wall: 5) == 10_805)
        #expect(c.admit(10_806, wall: 5) == 1)
    }

    @Test func onceEveryFileIsReadLogTimeStaysAtTheNewestLine() {
        var c = ReplayClock(speed: 60)
        _ = c.admit(1_000, wall: 0)
        #expect(c.admit(1_030, wall: 0.5) == 0)
        #expect(c.admit(1_010, wall: 0.5) == 0)
        c.end()
        #expect(c.ended)
        #expect(c.logTime(wall: 100) == 1_030)
        c.setPaused(true, wall: 100)
        #expect(!c.paused)
    }

    @Test func plusAndMinusStepThroughTheLadder() {
        #expect(ReplayClock.stepped(60, up: true) == 120)
        #expect(ReplayClock.stepped(60, up: false) == 30)
        #expect(ReplayClock.stepped(45, up: true) == 60)
        #expect(ReplayClock.stepped(45, up: false) == 30)
        #expect(ReplayClock.stepped(3_600, up: true) == 3_600)
        #expect(ReplayClock.stepped(1, up: false) == 1)
        #expect(ReplayClock.stepped(0.5, up: false) == 0.5)
        #expect(ReplayClock.stepped(10_000, up: true) == 10_000)
    }

    /// What `EngineDriver` does in a paced replay: the engine ticks with the replay's log time. A
    /// paused replay then holds event time still however long the pause (ticking with the wall clock
    /// would move it on by the pause, and the lines after it would be late), and a quiet stretch of
    /// the log moves it on at the replay's pace.
    @Test func anEngineTickedInReplayTimeHoldsStillWhilePaused() {
        var e = engine { $0.lateness = 2 }
        var c = ReplayClock(speed: 60)
        var wall = 1_000.0
        for s in Int64(0)..<30 {
            wall += c.admit(baseTime + s, wall: wall)
            e.ingest(line: accessLine(at: baseTime + s))
            e.tick(now: Int64(c.logTime(wall: wall)!))
        }
        let before = e.maxEventTime
        c.setPaused(true, wall: wall)
        for _ in 0..<100 {
            wall += 1
            e.tick(now: Int64(c.logTime(wall: wall)!))
        }
        #expect(e.maxEventTime == before)
        c.setPaused(false, wall: wall)
        e.ingest(line: accessLine(at: baseTime + 30))
        #expect(e.lateCount == 0)
        // A quiet stretch of the log: event time follows the replay's clock, 60 s per wall second.
        for _ in 0..<5 {
            wall += 1
            e.tick(now: Int64(c.logTime(wall: wall)!))
        }
        #expect(e.maxEventTime! >= baseTime + 30 + 4 * 60 - 60)
        #expect(e.maxEventTime! <= baseTime + 30 + 5 * 60)
    }
}
