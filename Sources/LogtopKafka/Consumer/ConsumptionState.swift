import Synchronization

/// Consumer-side state shared between `poll` and the rebalance callback (both
/// on the polling thread) and `stats` (any thread).
final class ConsumptionState: Sendable {
    struct State: Sendable {
        var consumed = 0
        /// Lines in the records consumed, and lines in records lost (see `received(count:runs:)`).
        var consumedLines = 0
        var lostLines: Int64 = 0
        /// The line mark of the last record seen per partition.
        var lastMark: [TopicPartition: LineMark] = [:]
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
                state.lastMark[partition] = nil
                if let next = committed[partition] { state.tracker.expect(partition, nextOffset: next) }
            }
        }
    }

    func revoked(_ partitions: [TopicPartition]) {
        state.withLock { state in
            for partition in partitions {
                state.assignment.remove(partition)
                state.tracker.forget(partition)
                state.lastMark[partition] = nil
            }
        }
    }

    func received(_ records: [ConsumedRecord]) {
        guard !records.isEmpty else { return }
        state.withLock { state in
            state.consumed += records.count
            state.consumedLines += records.count
            for record in records {
                let gap = state.tracker.observe(record.topicPartition, offset: record.offset)
                state.lostLines += gap
                state.lastMark[record.topicPartition] = nil
            }
        }
    }

    /// `count` records received as runs of consecutive offsets (`first..<next`), in arrival order:
    /// the same as `received(_:)` for those records, with one tracker update per run. Lines lost in a
    /// gap before a run are counted from the line marks (`LineMark.linesMissing`).
    func received(count: Int, runs: [OffsetRun]) {
        guard count > 0 else { return }
        state.withLock { state in
            state.consumed += count
            for run in runs {
                let gap = state.tracker.observe(run.partition, offset: run.first)
                state.tracker.expect(run.partition, nextOffset: run.next)
                state.lostLines += run.firstMark.linesMissing(gap, after: state.lastMark[run.partition])
                state.consumedLines += run.lines
                state.lastMark[run.partition] = run.lastMark
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
