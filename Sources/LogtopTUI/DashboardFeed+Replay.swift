import LogtopCore

extension DashboardFeed {
    /// A paced replay of files (`--replay-speed`) as the dashboard shows it.
    public struct ReplayInfo: Sendable, Equatable {
        /// Times real time.
        public var speed: Double
        public var paused: Bool
        /// Every replayed file is read: the log's time stays at its last line.
        public var ended: Bool
        /// The log's time now (Unix seconds), nil before the first line.
        public var logTime: Int64?
        /// Gaps of log time skipped, and the length of the last one, seconds.
        public var skips: Int
        public var lastSkipSeconds: Int64?

        public init(speed: Double, paused: Bool = false, ended: Bool = false, logTime: Int64? = nil, skips: Int = 0, lastSkipSeconds: Int64? = nil) {
            self.speed = speed
            self.paused = paused
            self.ended = ended
            self.logTime = logTime
            self.skips = skips
            self.lastSkipSeconds = lastSkipSeconds
        }

        /// A length of log time: `42s`, `7m05s`, `3h20m`, `2d04h`.
        public static func span(_ s: Int64) -> String {
            func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
            if s < 60 { return "\(max(0, s))s" }
            if s < 3_600 { return "\(s / 60)m\(two(s % 60))s" }
            if s < 86_400 { return "\(s / 3_600)h\(two(s % 3_600 / 60))m" }
            return "\(s / 86_400)d\(two(s % 86_400 / 3_600))h"
        }

        /// `60x`, `2.5x`.
        public var speedText: String {
            speed == speed.rounded() ? "\(Int(speed))x" : "\(Format.number(speed))x"
        }
    }
}
