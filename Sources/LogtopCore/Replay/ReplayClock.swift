/// The clock of a paced replay (`--replay-speed`): log time that runs `speed` times as fast as wall
/// time from an anchor, so that a line of log time `t` is let go when the clock reaches `t`.
///
/// Pure: the caller passes wall time (seconds, any origin) to every call. The first line anchors the
/// clock at its own time. A pause freezes log time; a speed change keeps the log time of that moment
/// and runs on at the new speed. A gap of more than `maxGap` seconds of log time before the next line
/// is skipped (the clock jumps to that line, as a batch run's event time jumps) and counted in
/// `skips`, so that the front end can say so. Lines older than the clock go at once. Once the replayed
/// files are all read (`end()`), log time stays at the newest line's: the replay is over, and the
/// dashboard keeps showing its last moments instead of letting them slide out of the window.
public struct ReplayClock: Sendable, Equatable {
    /// The speeds `+` and `-` step through (times real time).
    public static let speeds: [Double] = [1, 2, 5, 10, 30, 60, 120, 300, 600, 1_800, 3_600]
    /// Speeds the clock accepts.
    public static let speedRange: ClosedRange<Double> = 0.01...1_000_000
    /// Longest gap of log time waited for, seconds (5 minutes); longer ones are skipped.
    public static let defaultMaxGap: Int64 = 300

    /// A gap of log time the clock jumped over.
    public struct Skip: Sendable, Equatable {
        public var from: Int64
        public var to: Int64
        public var seconds: Int64 { to - from }
    }

    public private(set) var speed: Double
    public private(set) var paused = false
    public let maxGap: Int64
    /// Gaps skipped so far, and the last one.
    public private(set) var skips = 0
    public private(set) var lastSkip: Skip?
    /// Every replayed line has gone: log time stays at `newest`.
    public private(set) var ended = false
    /// The newest line's time so far.
    public private(set) var newest: Int64?
    private var anchorWall = 0.0
    private var anchorLog: Double?

    public init(speed: Double, maxGap: Int64 = ReplayClock.defaultMaxGap) {
        self.speed = Self.clamped(speed)
        self.maxGap = max(1, maxGap)
    }

    public static func clamped(_ speed: Double) -> Double {
        speed.isNaN ? 1 : min(speedRange.upperBound, max(speedRange.lowerBound, speed))
    }

    /// The next speed of the ladder above (`up`) or below the current one (the ends stay).
    public static func stepped(_ speed: Double, up: Bool) -> Double {
        if up { return speeds.first { $0 > speed + 1e-9 } ?? max(speed, speeds.last!) }
        return speeds.last { $0 < speed - 1e-9 } ?? min(speed, speeds.first!)
    }

    /// Log time at wall time `wall`, nil before the first line.
    public func logTime(wall: Double) -> Double? {
        guard let log = anchorLog else { return nil }
        if ended, let newest { return Double(newest) }
        return paused ? log : log + max(0, wall - anchorWall) * speed
    }

    /// Seconds of wall time to wait before a line of log time `t` may go: 0 to let it go now,
    /// `.infinity` while paused. Ask again after waiting (the speed may have changed meanwhile).
    public mutating func admit(_ t: Int64, wall: Double) -> Double {
        let wait = waitBeforeAdmitting(t, wall: wall)
        if wait == 0 { newest = max(newest ?? t, t) }
        return wait
    }

    /// The replayed files are all read: log time stops at the newest line's.
    public mutating func end() { ended = true }

    private mutating func waitBeforeAdmitting(_ t: Int64, wall: Double) -> Double {
        if ended { return 0 }
        guard let now = logTime(wall: wall) else {
            anchor(wall: wall, log: Double(t))
            return 0
        }
        if paused { return .infinity }
        let ahead = Double(t) - now
        if ahead <= 0 { return 0 }
        if ahead > Double(maxGap) {
            let from = Int64(now.rounded(.down))
            skips += 1
            lastSkip = Skip(from: from, to: t)
            anchor(wall: wall, log: Double(t))
            return 0
        }
        return ahead / speed
    }

    public mutating func setPaused(_ p: Bool, wall: Double) {
        guard p != paused, !ended else { return }
        if let now = logTime(wall: wall) { anchor(wall: wall, log: now) }
        paused = p
        if !p { anchorWall = wall }
    }

    public mutating func setSpeed(_ s: Double, wall: Double) {
        if let now = logTime(wall: wall) { anchor(wall: wall, log: now) }
        speed = Self.clamped(s)
    }

    private mutating func anchor(wall: Double, log: Double) {
        anchorWall = wall
        anchorLog = log
    }
}
