import Foundation
import LogtopCore
import Synchronization

/// The paced replay of a run's file sources (`--replay-speed`): one `ReplayClock` shared by them (so
/// that the lines of several files of one night play in one log time), changed by the front end's
/// commands, read by the analyzer (whose engine ticks in log time, see `EngineDriver`) and shown in
/// the status.
final class ReplayControl: Sendable {
    private let clock: Mutex<ReplayClock>
    /// Paced sources still reading; when the last one ends, so does the replay (`ReplayClock.end`).
    private let running = Mutex(0)

    init(speed: Double) { clock = Mutex(ReplayClock(speed: speed)) }

    func sourceStarted() { running.withLock { $0 += 1 } }

    func sourceEnded() {
        let left = running.withLock { n in
            n -= 1
            return n
        }
        if left <= 0 { clock.withLock { $0.end() } }
    }

    private static var wall: Double { Date().timeIntervalSince1970 }

    func apply(_ command: Command) {
        let wall = Self.wall
        clock.withLock { c in
            switch command {
            case .toggleReplayPause: c.setPaused(!c.paused, wall: wall)
            case .setReplaySpeed(let s): c.setSpeed(s, wall: wall)
            default: break
            }
        }
    }

    var status: ReplayStatus {
        let wall = Self.wall
        return clock.withLock { c in
            ReplayStatus(speed: c.speed, paused: c.paused, ended: c.ended, logTime: c.logTime(wall: wall).map { Int64($0.rounded(.down)) },
                         skips: c.skips, lastSkip: c.lastSkip.map { ($0.from, $0.to) })
        }
    }

    /// The log time the engine ticks with instead of wall time (nil before the first line).
    func tickTime(wall: Double) -> Int64? {
        clock.withLock { $0.logTime(wall: wall) }.map { Int64($0.rounded(.down)) }
    }

    /// Blocks until a line of log time `t` may go: true then, false when `stop()` says the pipeline
    /// stops meanwhile. Waits in steps of at most 50 ms, so that a pause, a speed change or a stop is
    /// noticed at once.
    func pace(_ t: Int64, stop: () -> Bool) -> Bool {
        while true {
            let wait = clock.withLock { $0.admit(t, wall: Self.wall) }
            if wait <= 0 { return true }
            if stop() { return false }
            usleep(UInt32(min(wait, 0.05) * 1_000_000))
        }
    }
}

/// What a source thread needs to pace its lines: its own parser (for the lines' event time) and the
/// run's replay clock.
final class ReplayPacer: Sendable {
    let control: ReplayControl
    private let parser: Mutex<AccessLogParser>

    init(control: ReplayControl, format: LogFormat) {
        self.control = control
        parser = Mutex(AccessLogParser(format: format))
    }

    /// Waits until `line` may go (a line without a time goes at once); false when stopping.
    func pace(_ line: UnsafeRawBufferPointer, stop: () -> Bool) -> Bool {
        let t = parser.withLock { p in p.eventTime(line.assumingMemoryBound(to: UInt8.self)) }
        guard let t else { return true }
        return control.pace(t, stop: stop)
    }
}
