/// Detects records lost between consumption runs or to retention trimming, by
/// tracking the next expected offset of every partition.
///
/// When a record arrives at an offset above the expected one, the difference is
/// counted as lost (e.g. the consumer fell behind and the broker deleted the
/// records, then `auto.offset.reset` jumped forward). An offset below the
/// expected one is a rewind (redelivery after a rebalance or restart): it is
/// counted separately and never as a loss.
///
/// Assumes non-compacted topics without transactional control records, where
/// offsets are contiguous.
public struct OffsetGapTracker: Sendable, Equatable {
    /// Next offset expected per partition.
    public private(set) var nextExpected: [TopicPartition: Int64] = [:]
    /// Records lost per partition.
    public private(set) var lostByPartition: [TopicPartition: Int64] = [:]
    /// Records seen again at or below an offset already passed.
    public private(set) var rewinds: Int64 = 0

    public init() {}

    /// Total records lost over all partitions.
    public var lostRecords: Int64 { lostByPartition.values.reduce(0, +) }

    /// Sets the next expected offset, e.g. from the group's committed offset
    /// when a partition is assigned, so a gap across restarts is detected.
    public mutating func expect(_ partition: TopicPartition, nextOffset: Int64) {
        guard nextOffset >= 0 else { return }
        nextExpected[partition] = nextOffset
    }

    /// Records that a record at `offset` was received; returns how many records
    /// were skipped before it (0 when none). The first record of a partition
    /// without an expectation only sets the expectation.
    @discardableResult
    public mutating func observe(_ partition: TopicPartition, offset: Int64) -> Int64 {
        var lost: Int64 = 0
        if let expected = nextExpected[partition] {
            if offset > expected {
                lost = offset - expected
                lostByPartition[partition, default: 0] += lost
            } else if offset < expected {
                rewinds += 1
            }
        }
        nextExpected[partition] = offset + 1
        return lost
    }

    /// Drops the expectation for a partition (e.g. revoked by a rebalance),
    /// keeping its loss count.
    public mutating func forget(_ partition: TopicPartition) {
        nextExpected[partition] = nil
    }
}
