/// A snapshot of a `LogProducer`'s accounting.
///
/// Counted in lines (a record produced with `lines: n` counts n; one by default). Every line accepted
/// by `produce` ends up exactly once in `delivered` or `failed` (via its record's delivery report);
/// until then it is `inFlight`.
public struct ProducerStats: Sendable, Equatable {
    /// Lines accepted into librdkafka's queue.
    public var produced: Int
    /// Lines whose record the cluster acknowledged (`acks=all`).
    public var delivered: Int
    /// Lines whose record failed permanently (reported by delivery report).
    public var failed: Int
    /// `produce` calls that returned `.queueFull` (back-pressure events; not lost).
    public var queueFull: Int
    /// Lines of `produce` calls rejected immediately for another reason (not in `produced`).
    public var rejected: Int
    /// Lines failed, by librdkafka error name, e.g. "_MSG_TIMED_OUT": 3.
    public var failuresByReason: [String: Int]
    /// Lines rejected, by librdkafka error name.
    public var rejectionsByReason: [String: Int]

    /// Lines accepted but not yet acknowledged or failed.
    public var inFlight: Int { produced - delivered - failed }

    public init(
        produced: Int = 0, delivered: Int = 0, failed: Int = 0, queueFull: Int = 0, rejected: Int = 0,
        failuresByReason: [String: Int] = [:], rejectionsByReason: [String: Int] = [:]
    ) {
        self.produced = produced
        self.delivered = delivered
        self.failed = failed
        self.queueFull = queueFull
        self.rejected = rejected
        self.failuresByReason = failuresByReason
        self.rejectionsByReason = rejectionsByReason
    }
}
