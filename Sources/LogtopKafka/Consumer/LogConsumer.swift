import CRdKafka
import Foundation

/// A consumer-group member for at-least-once processing.
///
/// Offsets are stored only when the caller says a record is processed
/// (`storeOffset(for:)`), and committed in the background every
/// `auto.commit.interval.ms` and at `close`. Offset gaps (records lost to
/// retention before they were read) are counted per partition, including
/// across restarts: on assignment the group's committed offset becomes the
/// next expected one.
///
/// `poll` blocks: call it from one dedicated thread, never from Swift's
/// cooperative pool. `stats`, `storeOffset` and `commitSync` may be called from
/// any thread; `close` waits for a running `poll` to return.
public final class LogConsumer: Sendable {
    private let client: RdKafkaClient
    private let consumption: ConsumptionState

    /// The consumer group id.
    public let group: String

    /// Creates a group member; `settings.consumerProperties(group:...)` plus
    /// `overrides` (applied last) configure it. Everything (errors, rebalances)
    /// is served from `poll`.
    public init(
        settings: KafkaSettings, group: String, autoCommitIntervalMs: Int = 1000,
        overrides: [String: String] = [:], rebalanceHooks: RebalanceHooks? = nil
    ) throws(KafkaError) {
        let consumption = ConsumptionState()
        let props = settings.consumerProperties(group: group, autoCommitIntervalMs: autoCommitIntervalMs)
            .merging(overrides) { _, new in new }
        client = try RdKafkaClient(
            .consumer, properties: props, context: ClientContext(consumption: consumption, rebalanceHooks: rebalanceHooks))
        self.consumption = consumption
        self.group = group
    }

    deinit { close() }

    /// Subscribes to `topics` (replacing any previous subscription).
    public func subscribe(_ topics: [String]) throws(KafkaError) {
        let result = client.withHandle { handle -> rd_kafka_resp_err_t in
            let list = rd_kafka_topic_partition_list_new(Int32(topics.count))
            defer { rd_kafka_topic_partition_list_destroy(list) }
            for topic in topics { _ = rd_kafka_topic_partition_list_add(list, topic, RD_KAFKA_PARTITION_UA) }
            return rd_kafka_subscribe(handle, list)
        }
        guard let result else { throw .closedClient }
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let code = KafkaErrorCode(result)
            throw KafkaError(kind: .consume, message: "cannot subscribe to \(topics): \(code.explanation)", code: code)
        }
    }

    /// Takes every partition of `topic` (`0..<partitions`) at once, without joining the group: for a
    /// consumer that is sure to be alone (a run on its own embedded cluster), which then skips the
    /// group's join and its initial rebalance delay (3 s on the embedded cluster). Each partition
    /// starts at the group's committed offset, else at its start;
    /// offsets are still stored and committed under the group id. Blocking (asks the cluster for
    /// committed offsets and watermarks).
    public func assign(topic: String, partitions: Int) throws(KafkaError) {
        let list = (0..<max(partitions, 1)).map { TopicPartition(topic: topic, partition: Int32($0)) }
        let result = client.withHandle { handle -> rd_kafka_resp_err_t in
            let rdList = rd_kafka_topic_partition_list_new(Int32(list.count))!
            defer { rd_kafka_topic_partition_list_destroy(rdList) }
            for tp in list { rd_kafka_topic_partition_list_add(rdList, tp.topic, tp.partition) }
            // Where the partitions are, asked now: the fetcher then starts at once instead of after its
            // own metadata round.
            _ = try? KafkaTopicReader.partitionCount(handle, topic: topic, timeoutMs: 2_000)
            let committed = Self.committedOffsets(handle, rdList, timeoutMs: 5_000)
            for index in 0..<list.count {
                rdList.pointee.elems[index].offset = committed[list[index]] ?? Int64(RD_KAFKA_OFFSET_BEGINNING)
            }
            consumption.assigned(list, committed: Self.expectedOffsets(handle, list, committed: committed))
            return rd_kafka_assign(handle, rdList)
        }
        guard let result else { throw .closedClient }
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let code = KafkaErrorCode(result)
            throw KafkaError(kind: .consume, message: "cannot assign the partitions of \(topic): \(code.explanation)", code: code)
        }
    }

    /// The next offset the gap tracker expects of each of `partitions`: the committed one, else the
    /// partition's current start. Without a committed offset the consumer starts at the partition's
    /// start (auto.offset.reset=earliest): anything trimmed between now and the first fetch is lost
    /// to this group too, so the start known now is the next expected offset.
    private static func expectedOffsets(
        _ rk: OpaquePointer, _ partitions: [TopicPartition], committed: [TopicPartition: Int64]
    ) -> [TopicPartition: Int64] {
        var expected = committed
        for tp in partitions where expected[tp] == nil {
            var low: Int64 = -1
            var high: Int64 = -1
            if rd_kafka_query_watermark_offsets(rk, tp.topic, tp.partition, &low, &high, 2_000) == RD_KAFKA_RESP_ERR_NO_ERROR,
               low >= 0 {
                expected[tp] = low
            }
        }
        return expected
    }

    /// The committed offsets of `partitions` (a copy is asked, the list is left as it is); empty when
    /// the cluster cannot say.
    private static func committedOffsets(
        _ rk: OpaquePointer, _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>, timeoutMs: Int32
    ) -> [TopicPartition: Int64] {
        var committed: [TopicPartition: Int64] = [:]
        guard let copy = rd_kafka_topic_partition_list_copy(partitions) else { return committed }
        defer { rd_kafka_topic_partition_list_destroy(copy) }
        guard rd_kafka_committed(rk, copy, timeoutMs) == RD_KAFKA_RESP_ERR_NO_ERROR else { return committed }
        for index in 0..<Int(copy.pointee.cnt) {
            let element = copy.pointee.elems[index]
            if element.err == RD_KAFKA_RESP_ERR_NO_ERROR, element.offset >= 0 {
                committed[TopicPartition(topic: String(cString: element.topic), partition: element.partition)] = element.offset
            }
        }
        return committed
    }

    /// Waits up to `timeoutMs` for a first record, then takes whatever else is
    /// already available, up to `maxMessages`. Blocking: call it from one
    /// dedicated thread. Errors reported meanwhile go to `stats().lastError`
    /// and `recentErrors`. Throws only when the consumer is closed.
    public func poll(maxMessages: Int = 1000, timeoutMs: Int = 100) throws(KafkaError) -> [ConsumedRecord] {
        var records: [ConsumedRecord] = []
        try poll(maxMessages: maxMessages, timeoutMs: timeoutMs) { records.append($0.record()) }
        return records
    }

    /// Like `poll(maxMessages:timeoutMs:)`, but lends every record to `body` in
    /// place, in librdkafka's memory, instead of copying it: no allocation per
    /// record. With `storeOffsets`, once `body` has seen the whole batch, its
    /// offsets are stored as `storeOffsets(for:)` would (a failure goes to
    /// `recentErrors`, it is not thrown). Each record counts as one line.
    ///
    /// `body` runs while the consumer is held open: it must not call this
    /// consumer, and must not keep the view or its buffers. Returns the number
    /// of records lent. Throws only when the consumer is closed.
    @discardableResult
    public func poll(
        maxMessages: Int, timeoutMs: Int, storeOffsets: Bool = false, _ body: (ConsumedRecordView) -> Void
    ) throws(KafkaError) -> Int {
        try pollLines(maxMessages: maxMessages, timeoutMs: timeoutMs, storeOffsets: storeOffsets) { r in
            body(r)
            return .unmarked()
        }
    }

    /// `poll(maxMessages:timeoutMs:storeOffsets:_:)` for records that may hold several lines: `body`
    /// sees each record and says how many lines it held and where they sit (`LineMark`), so that
    /// `stats()` counts consumed and lost lines as well as records.
    @discardableResult
    public func pollLines(
        maxMessages: Int, timeoutMs: Int, storeOffsets: Bool = false, _ body: (ConsumedRecordView) -> LineMark
    ) throws(KafkaError) -> Int {
        var runs = OffsetRuns()
        let count = client.withHandle { handle -> Int in
            var count = 0
            func lend(_ message: UnsafeMutablePointer<rd_kafka_message_t>) {
                defer { rd_kafka_message_destroy(message) }
                guard message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    recordError(message)
                    return
                }
                runs.add(message, body(ConsumedRecordView(message)))
                count += 1
            }
            // The first message waits up to the timeout; the rest is whatever is already there. (Not
            // rd_kafka_consume_batch_queue: before librdkafka 2.2 it may lose or repeat messages around a
            // rebalance, and it saves only about 200 instructions a message.)
            var timeout = Int32(clamping: timeoutMs)
            while count < maxMessages, let message = rd_kafka_consumer_poll(handle, timeout) {
                timeout = 0
                lend(message)
            }
            return count
        }
        guard let count else { throw .closedClient }
        guard count > 0 else { return 0 }
        consumption.received(count: count, runs: runs.runs)
        if storeOffsets {
            // The records were handed out: a failed store is reported, not thrown.
            do { try store(runs.nextOffsets) } catch where error.kind != .closed {
                client.context.events.record(KafkaErrorEvent(code: error.code ?? KafkaErrorCode(RD_KAFKA_RESP_ERR__FAIL), reason: error.message))
            } catch {}
        }
        return count
    }

    /// Records a consumer error message as an error event (end of partition is not one).
    private func recordError(_ message: UnsafeMutablePointer<rd_kafka_message_t>) {
        let m = message.pointee
        guard m.err != RD_KAFKA_RESP_ERR__PARTITION_EOF else { return }
        var reason = String(cString: rd_kafka_message_errstr(message))
        if let rkt = m.rkt { reason = "\(String(cString: rd_kafka_topic_name(rkt)))[\(m.partition)]: " + reason }
        client.context.events.record(KafkaErrorEvent(code: KafkaErrorCode(m.err), reason: reason))
    }

    /// Marks `record` as processed: its offset + 1 will be committed.
    public func storeOffset(for record: ConsumedRecord) throws(KafkaError) {
        try store([record.topicPartition: record.offset + 1])
    }

    /// Marks every record in `records` as processed (the highest offset per
    /// partition is stored).
    public func storeOffsets(for records: [ConsumedRecord]) throws(KafkaError) {
        var next: [TopicPartition: Int64] = [:]
        for record in records { next[record.topicPartition] = max(next[record.topicPartition] ?? 0, record.offset + 1) }
        try store(next)
    }

    /// Stores `nextOffset` (the offset of the next record to read) for each
    /// partition, to be committed. Partitions no longer assigned are ignored:
    /// their records will be redelivered to the new owner (at-least-once).
    public func store(_ nextOffsets: [TopicPartition: Int64]) throws(KafkaError) {
        guard !nextOffsets.isEmpty else { return }
        let failure = client.withHandle { handle -> KafkaError? in
            let list = rd_kafka_topic_partition_list_new(Int32(nextOffsets.count))!
            defer { rd_kafka_topic_partition_list_destroy(list) }
            for (partition, offset) in nextOffsets {
                rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition).pointee.offset = offset
            }
            _ = rd_kafka_offsets_store(handle, list)
            for index in 0..<Int(list.pointee.cnt) {
                let element = list.pointee.elems[index]
                let code = KafkaErrorCode(element.err)
                if code != .noError && code != .state && code != .unknownTopicOrPartition {
                    return KafkaError(
                        kind: .commit,
                        message: "cannot store offset for \(String(cString: element.topic))[\(element.partition)]: \(code.explanation)",
                        code: code)
                }
            }
            return nil
        }
        guard let failure else { throw .closedClient }
        if let failure { throw failure }
    }

    /// Commits the stored offsets now and waits for the result, retrying a few times (about 3 s in
    /// all) while the group is rebalancing or its coordinator moves. Blocking.
    public func commitSync() throws(KafkaError) {
        let result = client.withHandle { Self.commitRetrying($0) }
        guard let result else { throw .closedClient }
        let code = KafkaErrorCode(result)
        guard code == .noError || code == .noOffset else {
            throw KafkaError(kind: .commit, message: "offset commit failed: \(code.explanation)", code: code)
        }
    }

    /// Errors after which the same commit can succeed a moment later.
    static let retriableCommitErrors: Set<KafkaErrorCode> = [
        .rebalanceInProgress, .coordinatorNotAvailable, .notCoordinator, .coordinatorLoadInProgress,
        .requestTimedOut, .timedOut, .transport,
    ]

    /// `rd_kafka_commit` of the stored offsets, synchronously, retried with a growing pause while the
    /// error is retriable. The offset commit callback counts every attempt.
    private static func commitRetrying(_ handle: OpaquePointer, attempts: Int = 6) -> rd_kafka_resp_err_t {
        var result = RD_KAFKA_RESP_ERR_NO_ERROR
        for attempt in 0..<attempts {
            result = rd_kafka_commit(handle, nil, 0)
            guard retriableCommitErrors.contains(KafkaErrorCode(result)), attempt + 1 < attempts else { break }
            // A back-off before the next attempt, not a wait for an event: librdkafka signals nothing
            // when the group has settled, so the commit is simply tried again a little later.
            usleep(UInt32(100_000 * (attempt + 1)))
        }
        return result
    }

    /// The offsets the group has committed for `partitions` (the next offset to read), asked of the
    /// group coordinator; partitions without a committed offset are absent. Blocking.
    public func committed(_ partitions: [TopicPartition], timeoutMs: Int = 5_000) throws(KafkaError) -> [TopicPartition: Int64] {
        let outcome = client.withHandle { handle -> Result<[TopicPartition: Int64], KafkaError> in
            let list = rd_kafka_topic_partition_list_new(Int32(max(partitions.count, 1)))!
            defer { rd_kafka_topic_partition_list_destroy(list) }
            for p in partitions { _ = rd_kafka_topic_partition_list_add(list, p.topic, p.partition) }
            let result = rd_kafka_committed(handle, list, Int32(clamping: timeoutMs))
            guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
                let code = KafkaErrorCode(result)
                return .failure(KafkaError(kind: .commit, message: "cannot read committed offsets: \(code.explanation)", code: code))
            }
            var offsets: [TopicPartition: Int64] = [:]
            for index in 0..<Int(list.pointee.cnt) {
                let element = list.pointee.elems[index]
                guard element.err == RD_KAFKA_RESP_ERR_NO_ERROR, element.offset >= 0 else { continue }
                offsets[TopicPartition(topic: String(cString: element.topic), partition: element.partition)] = element.offset
            }
            return .success(offsets)
        }
        guard let outcome else { throw .closedClient }
        return try outcome.get()
    }

    /// Accounting, assignment and lag (from the watermarks cached by fetches).
    public func stats() -> ConsumerStats {
        let state = consumption.snapshot
        let events = client.events
        let assignment = state.assignment.sorted()
        var lag: [TopicPartition: Int64] = [:]
        _ = client.withHandle { handle in
            for partition in assignment {
                var low: Int64 = -1
                var high: Int64 = -1
                guard rd_kafka_get_watermark_offsets(handle, partition.topic, partition.partition, &low, &high)
                    == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else { continue }
                let next = state.tracker.nextExpected[partition] ?? max(low, 0)
                lag[partition] = max(high - next, 0)
            }
        }
        var stats = ConsumerStats(
            consumed: state.consumed, lostRecords: state.tracker.lostRecords,
            lostByPartition: state.tracker.lostByPartition, rewinds: state.tracker.rewinds,
            offsetResets: events.offsetResets, assignment: assignment, lagByPartition: lag,
            errorCount: events.errorCount, lastError: events.errors.last)
        stats.consumedLines = state.consumedLines
        stats.lostLines = state.lostLines
        stats.commits = state.commits
        stats.commitFailures = state.commitFailures
        return stats
    }

    /// The most recent errors reported by librdkafka (oldest first, at most 32).
    public var recentErrors: [KafkaErrorEvent] { client.events.errors }

    /// The first fatal error, if any (the consumer must be recreated).
    public var fatalErrorEvent: KafkaErrorEvent? { client.events.fatal }

    /// Recent librdkafka warning/error log lines (never printed to stderr).
    public var recentLogs: [KafkaLogLine] { client.events.logs }

    /// Commits stored offsets, leaves the group and destroys the handle.
    /// Blocking (waits for a running `poll`); idempotent.
    public func close() {
        client.close { handle in _ = Self.commitRetrying(handle) }
    }

    /// Drops the client the way a killed process does: no final commit, no LeaveGroup. The group
    /// notices only after `session.timeout.ms`; whatever was processed after the last background
    /// commit (at most `auto.commit.interval.ms` of records, plus a commit in flight) is delivered
    /// again to the partitions' next owner. For crash tests and fatal paths; idempotent.
    public func abandon() {
        client.close(.abandon)
    }

    /// Rebalance callback: seeds the gap tracker from committed offsets and
    /// applies the (eager or cooperative) assignment change.
    static func rebalance(
        _ rk: OpaquePointer, err: rd_kafka_resp_err_t,
        partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, context: ClientContext
    ) {
        let cooperative = rd_kafka_rebalance_protocol(rk).map { String(cString: $0) == "COOPERATIVE" } ?? false
        let list = partitions.map(Self.topicPartitions) ?? []
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            var committed = partitions.map { committedOffsets(rk, $0, timeoutMs: 5_000) } ?? [:]
            if let hooks = context.rebalanceHooks, let partitions {
                // The owner may know better where to start (e.g. past records it already published).
                let starts = hooks.assigned(list, committed)
                for index in 0..<Int(partitions.pointee.cnt) {
                    let element = partitions.pointee.elems[index]
                    let tp = TopicPartition(topic: String(cString: element.topic), partition: element.partition)
                    if let start = starts[tp], start > (committed[tp] ?? -1) {
                        partitions.pointee.elems[index].offset = start
                        committed[tp] = start
                    }
                }
            }
            context.consumption?.assigned(list, committed: expectedOffsets(rk, list, committed: committed))
            if cooperative {
                if let error = rd_kafka_incremental_assign(rk, partitions) { record(error, context) }
            } else {
                let result = rd_kafka_assign(rk, partitions)
                if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                    context.events.record(KafkaErrorEvent(code: KafkaErrorCode(result), reason: "assign failed"))
                }
            }
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            context.rebalanceHooks?.revoking(list)
            context.consumption?.revoked(list)
            if cooperative {
                if let error = rd_kafka_incremental_unassign(rk, partitions) { record(error, context) }
            } else {
                _ = rd_kafka_assign(rk, nil)
            }
        default:
            context.events.record(KafkaErrorEvent(code: KafkaErrorCode(err), reason: "rebalance failed"))
            context.rebalanceHooks?.revoking(context.consumption?.snapshot.assignment.map { $0 } ?? [])
            context.consumption?.revoked(context.consumption?.snapshot.assignment.map { $0 } ?? [])
            _ = rd_kafka_assign(rk, nil)
        }
    }

    private static func record(_ error: OpaquePointer, _ context: ClientContext) {
        context.events.record(KafkaErrorEvent(
            code: KafkaErrorCode(rd_kafka_error_code(error)),
            reason: String(cString: rd_kafka_error_string(error)),
            isFatal: rd_kafka_error_is_fatal(error) != 0))
        rd_kafka_error_destroy(error)
    }

    private static func topicPartitions(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> [TopicPartition] {
        (0..<Int(list.pointee.cnt)).map { index in
            let element = list.pointee.elems[index]
            return TopicPartition(topic: String(cString: element.topic), partition: element.partition)
        }
    }
}

/// What a consumer's owner does when partitions move. Both run on the thread that polls, inside
/// `poll`, while the consumer is held: they must not call the consumer.
public struct RebalanceHooks: Sendable {
    /// Newly assigned partitions and the group's committed offsets for them; returns start offsets
    /// to use instead, where the owner knows that later records were already taken into account
    /// (only offsets past the committed one are used).
    public var assigned: @Sendable (_ partitions: [TopicPartition], _ committed: [TopicPartition: Int64]) -> [TopicPartition: Int64]
    /// Partitions about to be taken away (or lost): the last moment to finish work on their records.
    public var revoking: @Sendable (_ partitions: [TopicPartition]) -> Void

    public init(
        assigned: @escaping @Sendable ([TopicPartition], [TopicPartition: Int64]) -> [TopicPartition: Int64],
        revoking: @escaping @Sendable ([TopicPartition]) -> Void
    ) {
        self.assigned = assigned
        self.revoking = revoking
    }
}

/// One run of consecutive offsets of a partition in a poll batch, with the line marks of its first
/// and last records and the lines it held.
struct OffsetRun {
    var partition: TopicPartition
    var first: Int64
    var next: Int64
    var firstMark: LineMark
    var lastMark: LineMark
    var lines: Int
}

/// The offsets of one poll batch as runs of consecutive offsets per partition, in arrival order:
/// enough for gap tracking and offset storing without a dictionary operation per record.
struct OffsetRuns {
    /// Partitions seen in this batch: librdkafka's topic handle, partition, and the topic name made once.
    private var partitions: [(rkt: OpaquePointer?, partition: Int32, topicPartition: TopicPartition)] = []
    private var current = -1
    private(set) var runs: [OffsetRun] = []
    /// Index in `runs` of the open run of each entry of `partitions`.
    private var open: [Int] = []

    mutating func add(_ message: UnsafeMutablePointer<rd_kafka_message_t>, _ mark: LineMark = .unmarked()) {
        let m = message.pointee
        if current < 0 || partitions[current].rkt != m.rkt || partitions[current].partition != m.partition {
            if let found = partitions.firstIndex(where: { $0.rkt == m.rkt && $0.partition == m.partition }) {
                current = found
            } else {
                let topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
                partitions.append((m.rkt, m.partition, TopicPartition(topic: topic, partition: m.partition)))
                open.append(-1)
                current = partitions.count - 1
            }
        }
        let run = open[current]
        if run >= 0, runs[run].next == m.offset {
            runs[run].next += 1
            runs[run].lastMark = mark
            runs[run].lines += mark.count
        } else {
            runs.append(OffsetRun(partition: partitions[current].topicPartition, first: m.offset, next: m.offset + 1,
                                  firstMark: mark, lastMark: mark, lines: mark.count))
            open[current] = runs.count - 1
        }
    }

    /// The highest next offset per partition.
    var nextOffsets: [TopicPartition: Int64] {
        var next: [TopicPartition: Int64] = [:]
        for run in runs { next[run.partition] = max(next[run.partition] ?? 0, run.next) }
        return next
    }
}
