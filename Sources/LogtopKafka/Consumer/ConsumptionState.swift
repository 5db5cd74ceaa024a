import Synchronization

/// Consumer-side state shared between `poll` and the rebalance callback (both
/// on the polling thread) and `stats` (any thread).
final class ConsumptionState: Sendable {
    struct State: Sendable {
        var consumed = 0
        var tracker = OffsetGapTracker()
        var assignment: Set<TopicPartition> = []
        /// Offset commits the broker accepted, and those it refused (each is retried: the stored
        /// offsets stay and go with the next commit).
        var commits = 0
        var commitFailures = 0
    }

    private let state = Mutex(State())

    func assigned(_ partitions: [TopicPartition], committed: [TopicPartition: Int64]) {
        state.withLock { state in
            for partition in partitions {
                state.assignment.insert(partition)
                state.tracker.forget(partition)
                if let next = committed[partition] { state.tracker.expect(partition, nextOffset: next) }
            }
        }
    }

    func revoked(_ partitions: [TopicPartition]) {
        state.withLock { state in
            for partition in partitions {
                state.assignment.remove(partition)
                state.tracker.forget(partition)
            }
        }
    }

    func received(_ records: [ConsumedRecord]) {
        guard !records.isEmpty else { return }
        state.withLock { state in
            state.consumed += records.count
            for record in records { state.tracker.observe(record.topicPartition, offset: record.offset) }
        }
    }

    /// `count` records received as runs of consecutive offsets (`first..<next`), in arrival order:
    /// the same as `received(_:)` for those records, with one tracker update per run.
    func received(count: Int, runs: [(partition: TopicPartition, first: Int64, next: Int64)]) {
        guard count > 0 else { return }
        state.withLock { state in
            state.consumed += count
            for run in runs {
                state.tracker.observe(run.partition, offset: run.first)
                state.tracker.expect(run.partition, nextOffset: run.next)
            }
        }
    }

    /// The outcome of one offset commit (`noOffset`, nothing to commit, is neither).
    func committed(_ code: KafkaErrorCode) {
        guard code != .noOffset else { return }
        state.withLock { state in
            if code == .noError { state.commits += 1 } else { state.commitFailures += 1 }
        }
    }

    var snapshot: State { state.withLock { $0 } }
}
