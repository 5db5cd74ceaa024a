/// How long a TCP source waits before its next connection attempt: `initialMs` first, doubling after
/// every failed attempt or connection that delivered nothing, capped at `maxMs`, and back to
/// `initialMs` once a connection delivers data. With logtop's defaults: 250 ms, 500 ms, 1 s, 2 s, 4 s,
/// then 5 s for as long as the peer stays away.
public struct ReconnectBackoff: Sendable, Equatable {
    public let initialMs: Int
    public let maxMs: Int
    private var nextMs: Int

    public init(initialMs: Int, maxMs: Int) {
        self.initialMs = max(1, initialMs)
        self.maxMs = max(self.initialMs, maxMs)
        nextMs = self.initialMs
    }

    /// The wait before the next attempt; the one after it doubles (up to `maxMs`).
    public mutating func nextWaitMs() -> Int {
        defer { nextMs = min(maxMs, nextMs * 2) }
        return nextMs
    }

    /// A connection delivered data: the next wait is `initialMs` again.
    public mutating func reset() { nextMs = initialMs }
}
