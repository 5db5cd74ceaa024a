/// A snapshot of a `LogConsumer`'s accounting.
public struct ConsumerStats: Sendable, Equatable {
    /// Records returned by `poll`.
    public var consumed: Int
    /// Records skipped (offset gaps), e.g. deleted by retention before being read.
    public var lostRecords: Int64
    /// `lostRecords` per partition.
    public var lostByPartition: [TopicPartition: Int64]
    /// Records received again at an offset already passed (redelivery).
    public var rewinds: Int64
    /// Offset resets caused by an error (e.g. out-of-range offset after trimming).
    public var offsetResets: Int
    /// Partitions currently assigned to this member.
    public var assignment: [TopicPartition]
    /// High watermark minus next offset to read, per assigned partition whose
    /// watermark is known.
    public var lagByPartition: [TopicPartition: Int64]
    /// Errors reported so far (consumer errors and error callbacks).
    public var errorCount: Int
    /// The latest reported error.
    public var lastError: KafkaErrorEvent?
    /// Lines in the records returned by `poll` (each record counts one unless the poller said more,
    /// see `LineMark`).
    public var consumedLines: Int = 0
    /// Lines in the records lost (`lostRecords`): exact where the records on both sides of a gap carry
    /// line marks of one producing run, else one line per lost record.
    public var lostLines: Int64 = 0
    /// Offset commits accepted by the group coordinator.
    public var commits: Int = 0
    /// Offset commits refused or failed (rebalance in progress, coordinator moved...): the offsets
    /// stay stored and the next commit carries them, so nothing is lost; at worst more is redelivered.
    public var commitFailures: Int = 0

    /// Sum of `lagByPartition`.
    public var totalLag: Int64 { lagByPartition.values.reduce(0, +) }

    public init(
        consumed: Int = 0, lostRecords: Int64 = 0, lostByPartition: [TopicPartition: Int64] = [:],
        rewinds: Int64 = 0, offsetResets: Int = 0, assignment: [TopicPartition] = [],
        lagByPartition: [TopicPartition: Int64] = [:], errorCount: Int = 0, lastError: KafkaErrorEvent? = nil
    ) {
        self.consumed = consumed
        self.lostRecords = lostRecords
        self.lostByPartition = lostByPartition
        self.rewinds = rewinds
        self.offsetResets = offsetResets
        self.assignment = assignment
        self.lagByPartition = lagByPartition
        self.errorCount = errorCount
        self.lastError = lastError
    }
}
