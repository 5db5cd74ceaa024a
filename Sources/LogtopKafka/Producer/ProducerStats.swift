/// A snapshot of a `LogProducer`'s accounting.
///
/// Every record accepted by `produce` ends up exactly once in `delivered` or
/// `failed` (via its delivery report); until then it is `inFlight`.
public struct ProducerStats: Sendable, Equatable {
    /// Records accepted into librdkafka's queue.
    public var produced: Int
    /// Records acknowledged by the cluster (`acks=all`).
    public var delivered: Int
    /// Records whose delivery failed permanently (reported by delivery report).
    public var failed: Int
    /// `produce` calls that returned `.queueFull` (back-pressure events; not lost).
    public var queueFull: Int
    /// `produce` calls rejected immediately for another reason (not in `produced`).
    public var rejected: Int
    /// Delivery failures by librdkafka error name, e.g. "_MSG_TIMED_OUT": 3.
    public var failuresByReason: [String: Int]
    /// Immediate rejections by librdkafka error name.
    public var rejectionsByReason: [String: Int]

    /// Records accepted but not yet acknowledged or failed.
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
