/// A paced replay as the front ends show it.
public struct ReplayStatus: Sendable, Equatable {
    /// Times real time.
    public var speed: Double
    public var paused: Bool
    /// Every replayed file is read: log time stays at the newest line's.
    public var ended: Bool
    /// Log time now (Unix seconds), nil before the first line.
    public var logTime: Int64?
    /// Gaps of log time skipped, and the last one (from, to).
    public var skips: Int
    public var lastSkip: (from: Int64, to: Int64)?

    public init(speed: Double, paused: Bool = false, ended: Bool = false, logTime: Int64? = nil, skips: Int = 0, lastSkip: (from: Int64, to: Int64)? = nil) {
        self.speed = speed
        self.paused = paused
        self.ended = ended
        self.logTime = logTime
        self.skips = skips
        self.lastSkip = lastSkip
    }

    public static func == (a: ReplayStatus, b: ReplayStatus) -> Bool {
        a.speed == b.speed && a.paused == b.paused && a.ended == b.ended && a.logTime == b.logTime && a.skips == b.skips
            && a.lastSkip?.from == b.lastSkip?.from && a.lastSkip?.to == b.lastSkip?.to
    }
}
