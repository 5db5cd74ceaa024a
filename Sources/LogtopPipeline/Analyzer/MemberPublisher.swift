import Foundation
import LogtopCore
import LogtopKafka
import Synchronization

/// A scale-out member's work on the partitions it is assigned: aggregate each partition's records per
/// second (`PartialAggregator`) and publish them as `MetricsPartial`s to the metrics topic, partition
/// `p` of `logs` to partition `p` (modulo) of the metrics topic.
///
/// Exactness across rebalances and crashes comes from the offsets: a partial says which records it
/// covers, a partition's new owner starts after the last partial published for it (read back from
/// the metrics topic, not only the group's committed offset), and a member publishes what it holds
/// for a partition before giving it up. Offsets are committed after the partials are delivered.
///
/// Used on the analyzer thread (the rebalance hooks run inside its `poll`, or in `close` once the
/// thread is done); `status` is read by the front end and never waits for a publication: no lock is
/// held while the producer flushes.
final class MemberPublisher: Sendable {
    private struct Partitions {
        var aggregators: [Int32: PartialAggregator] = [:]
        /// Per assigned partition: the offset up to which its records are published (or were, by a
        /// previous owner), and when this member last sent a record for it.
        var position: [Int32: Int64] = [:]
        var lastSent: [Int32: Double] = [:]

        mutating func forget(_ p: Int32) {
            aggregators[p] = nil
            position[p] = nil
            lastSent[p] = nil
        }
    }

    private let partitions = Mutex(Partitions())
    private let counters: Mutex<MemberStatus>
    /// Lines aggregated (an atomic: counted for every record).
    private let lines = Atomic<Int>(0)
    /// An idle partition gets a heartbeat (an empty range) this often, so that a view can tell an idle
    /// member from a dead one.
    static let heartbeatInterval = 5.0
    let member: String
    let topic: String
    let metricsTopic: String
    let metricsPartitions: Int
    private let producer: LogProducer
    private let settings: KafkaSettings
    private let engine: EngineConfig

    init(member: String, topic: String, metricsTopic: String, settings: KafkaSettings, engine: EngineConfig) throws {
        self.member = member
        self.topic = topic
        self.metricsTopic = metricsTopic
        self.settings = settings
        self.engine = engine
        let n = try KafkaTopicReader.partitionCount(settings: settings, topic: metricsTopic)
        guard n > 0 else {
            throw PipelineError("the metrics topic \(metricsTopic) does not exist",
                                hint: "create it with as many partitions as the logs topic, or let logtop create it (no --no-create-topics)")
        }
        metricsPartitions = n
        producer = try LogProducer(settings: settings)
        var status = MemberStatus()
        status.member = member
        counters = Mutex(status)
    }

    /// Counts one record of `logs`: each of its lines (see `RecordLines`), or one cut line; returns
    /// how many lines it held.
    @discardableResult
    func ingest(_ r: ConsumedRecordView, cut: Bool) -> Int {
        let p = r.partition
        let n = partitions.withLock { s -> Int in
            if s.aggregators[p] == nil {
                s.aggregators[p] = PartialAggregator(topic: topic, partition: p, capacity: engine.secondCapacity,
                                                     format: engine.format, keepQuery: engine.keepQuery)
            }
            if cut {
                s.aggregators[p]!.ingestMalformed(.tooLong, offset: r.offset)
                return 1
            }
            let offset = r.offset
            return RecordLines.forEach(in: r.value) { s.aggregators[p]!.ingest(line: $0, offset: offset) }
        }
        lines.add(n, ordering: .relaxed)
        return n
    }

    /// Publishes what is held for `only` these partitions (every partition when `nil`), waits for
    /// delivery and returns the next offsets now covered by delivered partials (to store for commit).
    @discardableResult
    func publish(only: [Int32]? = nil, memberLag: Int64) -> [TopicPartition: Int64] {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let failedBefore = counters.withLock { $0.failed }
        // Take and send under the lock (produce does not block: a full queue is flushed a little)...
        let (covered, partials, bytes) = partitions.withLock { s -> ([TopicPartition: Int64], Int, Int) in
            var covered: [TopicPartition: Int64] = [:]
            var partials = 0, bytes = 0
            for p in only ?? Array(s.aggregators.keys) {
                guard var aggregator = s.aggregators[p],
                      let partial = aggregator.take(member: member, producedAt: now, memberLag: memberLag) else { continue }
                s.aggregators[p] = aggregator
                let value = partial.encode()
                var outcome = send(value, for: p)
                while case .queueFull = outcome {
                    _ = producer.flush(timeoutMs: 100)
                    outcome = send(value, for: p)
                }
                if case .enqueued = outcome {
                    covered[TopicPartition(topic: topic, partition: p)] = partial.nextOffset
                    s.position[p] = partial.nextOffset
                    s.lastSent[p] = Double(now) / 1000
                    partials += 1
                    bytes += value.count
                }
            }
            return (covered, partials, bytes)
        }
        guard !covered.isEmpty else { return [:] }
        // ... and wait for delivery without it.
        let flushed = producer.flush(timeoutMs: 30_000)
        let stats = producer.stats()
        let failed = stats.failed + stats.rejected
        counters.withLock {
            $0.partials += partials
            $0.bytes += bytes
            $0.failed = failed
        }
        // Commit only what is known to be on the metrics topic.
        return flushed && failed == failedBefore ? covered : [:]
    }

    /// Produces an encoded record about `logs` partition `p` to its metrics partition (`p` modulo
    /// their number), keyed by the source partition.
    private func send(_ value: [UInt8], for p: Int32) -> ProduceOutcome {
        producer.produce(topic: metricsTopic, partition: Int32(Int(p) % metricsPartitions),
                         key: Array("\(topic):\(p)".utf8), value: value)
    }

    /// Sends a heartbeat (a record covering no offsets, at the partition's published position) for
    /// every assigned partition this member has sent nothing for lately.
    func heartbeat(assigned: [TopicPartition], memberLag: Int64) {
        partitions.withLock { s in
            let now = Date().timeIntervalSince1970
            for tp in assigned where tp.topic == topic && now - (s.lastSent[tp.partition] ?? 0) >= Self.heartbeatInterval {
                let at = s.position[tp.partition] ?? 0
                let beat = MetricsPartial(member: member, topic: topic, partition: tp.partition, firstOffset: at, nextOffset: at,
                                          producedAt: Int64(now * 1000), memberLag: memberLag, seconds: [])
                if case .enqueued = send(beat.encode(), for: tp.partition) {
                    s.lastSent[tp.partition] = now
                }
            }
        }
    }

    /// Where the new owner of `assigned` partitions starts: after the last partial published for each
    /// (by any member, dead or alive), read back from the metrics topic; `committed` are the group's
    /// offsets.
    func startOffsets(for assigned: [TopicPartition], committed: [TopicPartition: Int64] = [:]) -> [TopicPartition: Int64] {
        let mine = assigned.filter { $0.topic == topic }
        partitions.withLock { s in
            for tp in mine {
                s.forget(tp.partition)
                s.position[tp.partition] = committed[tp]
            }
        }
        guard !mine.isEmpty else { return [:] }
        let targets = Set(mine.map { Int32(Int($0.partition) % metricsPartitions) })
        // With one metrics partition per logs partition the newest record is the one; with fewer,
        // look further back.
        let depth = metricsPartitions >= mine.map { Int($0.partition) + 1 }.max()! ? 4 : 512
        let records = (try? KafkaTopicReader.tail(settings: settings, topic: metricsTopic, partitions: Array(targets),
                                                  count: depth, timeoutMs: 10_000)) ?? []
        var starts: [TopicPartition: Int64] = [:]
        for record in records.sorted(by: { $0.offset < $1.offset }) {
            guard let partial = try? MetricsPartial(decoding: record.value), partial.topic == topic else { continue }
            let tp = TopicPartition(topic: topic, partition: partial.partition)
            guard mine.contains(tp) else { continue }
            starts[tp] = max(starts[tp] ?? 0, partial.nextOffset)
        }
        counters.withLock { $0.resumedFromMetrics += starts.count }
        partitions.withLock { s in
            for (tp, start) in starts { s.position[tp.partition] = max(s.position[tp.partition] ?? 0, start) }
        }
        return starts
    }

    /// Partitions about to move: publish what they hold, then forget them.
    func revoke(_ revoked: [TopicPartition], memberLag: Int64) {
        let mine = revoked.filter { $0.topic == topic }.map(\.partition)
        publish(only: mine, memberLag: memberLag)
        partitions.withLock { s in for p in mine { s.forget(p) } }
    }

    var status: MemberStatus {
        var s = counters.withLock { $0 }
        s.lines = lines.load(ordering: .relaxed)
        return s
    }

    func close(flushTimeoutMs: Int = 10_000) {
        producer.close(flushTimeoutMs: flushTimeoutMs)
    }
}
