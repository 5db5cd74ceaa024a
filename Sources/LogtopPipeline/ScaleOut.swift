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
/// Used on the analyzer thread; the rebalance hooks run inside that thread's `poll` (or in `close`
/// once the thread is done), hence the recursive lock around every use.
final class MemberPublisher: @unchecked Sendable {
    // @unchecked: every mutable property is used with `lock` held.
    private let lock = NSRecursiveLock()
    private var aggregators: [Int32: PartialAggregator] = [:]
    /// Per assigned partition: the offset up to which its records are published (or were, by a
    /// previous owner), and when this member last sent a record for it.
    private var position: [Int32: Int64] = [:]
    private var lastSent: [Int32: Double] = [:]
    /// An idle partition gets a heartbeat (an empty range) this often, so that a view can tell an idle
    /// member from a dead one.
    static let heartbeatInterval = 5.0
    private var counters = MemberStatus()
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
        counters.member = member
    }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Counts one record of `logs` (call with the lock held, i.e. inside `withLock`).
    func ingest(_ r: ConsumedRecordView, cut: Bool) {
        let p = r.partition
        if aggregators[p] == nil {
            aggregators[p] = PartialAggregator(topic: topic, partition: p, capacity: engine.secondCapacity,
                                               format: engine.format, keepQuery: engine.keepQuery)
        }
        if cut {
            aggregators[p]!.ingestMalformed(.tooLong, offset: r.offset)
        } else {
            aggregators[p]!.ingest(line: r.value, offset: r.offset)
        }
        counters.lines += 1
    }

    /// Publishes what is held for `partitions` (every partition when `nil`), waits for delivery and
    /// returns the next offsets now covered by delivered partials (to store for commit).
    @discardableResult
    func publish(partitions: [Int32]? = nil, memberLag: Int64) -> [TopicPartition: Int64] {
        withLock {
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            var covered: [TopicPartition: Int64] = [:]
            for p in partitions ?? Array(aggregators.keys) {
                guard var aggregator = aggregators[p],
                      let partial = aggregator.take(member: member, producedAt: now, memberLag: memberLag) else { continue }
                aggregators[p] = aggregator
                let value = partial.encode()
                var outcome = send(value, for: p)
                while case .queueFull = outcome {
                    _ = producer.flush(timeoutMs: 100)
                    outcome = send(value, for: p)
                }
                if case .enqueued = outcome {
                    covered[TopicPartition(topic: topic, partition: p)] = partial.nextOffset
                    position[p] = partial.nextOffset
                    lastSent[p] = Double(now) / 1000
                    counters.partials += 1
                    counters.bytes += value.count
                }
            }
            let failedBefore = counters.failed
            guard !covered.isEmpty else { return [:] }
            let flushed = producer.flush(timeoutMs: 30_000)
            let stats = producer.stats()
            counters.failed = stats.failed + stats.rejected
            // Commit only what is known to be on the metrics topic.
            return flushed && counters.failed == failedBefore ? covered : [:]
        }
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
        withLock {
            let now = Date().timeIntervalSince1970
            for tp in assigned where tp.topic == topic && now - (lastSent[tp.partition] ?? 0) >= Self.heartbeatInterval {
                let at = position[tp.partition] ?? 0
                let beat = MetricsPartial(member: member, topic: topic, partition: tp.partition, firstOffset: at, nextOffset: at,
                                          producedAt: Int64(now * 1000), memberLag: memberLag, seconds: [])
                if case .enqueued = send(beat.encode(), for: tp.partition) {
                    lastSent[tp.partition] = now
                }
            }
        }
    }

    /// Where the new owner of `partitions` starts: after the last partial published for each (by any
    /// member, dead or alive), read back from the metrics topic; `committed` are the group's offsets.
    func startOffsets(for partitions: [TopicPartition], committed: [TopicPartition: Int64] = [:]) -> [TopicPartition: Int64] {
        withLock {
            for tp in partitions where tp.topic == topic {
                aggregators[tp.partition] = nil
                lastSent[tp.partition] = nil
                position[tp.partition] = committed[tp]
            }
            let mine = partitions.filter { $0.topic == topic }
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
            counters.resumedFromMetrics += starts.count
            for (tp, start) in starts { position[tp.partition] = max(position[tp.partition] ?? 0, start) }
            return starts
        }
    }

    /// Partitions about to move: publish what they hold, then forget them.
    func revoke(_ partitions: [TopicPartition], memberLag: Int64) {
        withLock {
            let mine = partitions.filter { $0.topic == topic }.map(\.partition)
            publish(partitions: mine, memberLag: memberLag)
            for p in mine {
                aggregators[p] = nil
                position[p] = nil
                lastSent[p] = nil
            }
        }
    }

    var status: MemberStatus { withLock { counters } }

    func close(flushTimeoutMs: Int = 10_000) {
        producer.close(flushTimeoutMs: flushTimeoutMs)
    }
}

/// What a scale-out member has done.
public struct MemberStatus: Sendable, Equatable {
    public var member = ""
    /// Lines aggregated.
    public var lines = 0
    /// Partial aggregates published, their encoded size, and how many could not be delivered.
    public var partials = 0
    public var bytes = 0
    public var failed = 0
    /// Partitions whose start offset came from the metrics topic (past the group's committed offset).
    public var resumedFromMetrics = 0

    public init() {}
}

/// One analyzer contributing to a merged view.
public struct AnalyzerStatus: Sendable, Equatable {
    public var member: String
    /// Its consumer lag (records) when it last published.
    public var lag: Int64
    /// The `logs` partitions it published for recently.
    public var partitions: [Int32]
    /// Lines it counted, as merged here.
    public var lines: Int
    /// Unix ms of its newest partial.
    public var lastSeenMs: Int64
    /// Heard from in the last `MergeLedger.activeWindowMs` (15 s).
    public var active = true
}

/// The merged view's bookkeeping: which records of each source partition the merged partials cover,
/// which it skipped as already counted, and who publishes.
public struct MergeStatus: Sendable, Equatable {
    /// Partial aggregates merged.
    public var partials = 0
    /// Partials skipped because their records were already counted (a replay).
    public var duplicates = 0
    /// Records of partials that overlapped what was counted (counted again: should stay 0).
    public var overlapRecords: Int64 = 0
    /// Records never covered by any partial (a partial lost before delivery): missing from the view.
    public var gapRecords: Int64 = 0
    /// Metrics records that could not be decoded (another version, or not logtop's).
    public var undecodable = 0
    /// Every analyzer heard from, by id; `active` says which published lately.
    public var analyzers: [AnalyzerStatus] = []

    /// Analyzers heard from lately.
    public var activeAnalyzers: [AnalyzerStatus] { analyzers.filter(\.active) }

    public init() {}
}

/// Admits partials into the merged view exactly once per source record.
struct MergeLedger {
    static let activeWindowMs: Int64 = 15_000
    private var next: [TopicPartition: Int64] = [:]
    private var members: [String: AnalyzerStatus] = [:]
    private var partitionOwner: [TopicPartition: (member: String, at: Int64)] = [:]
    private(set) var status = MergeStatus()

    /// Whether `partial`'s records are new here (then merge it); bookkeeping either way. A record
    /// covering no offsets is a heartbeat of an idle member: it only says the member is alive.
    mutating func admit(_ partial: MetricsPartial) -> Bool {
        let tp = TopicPartition(topic: partial.topic, partition: partial.partition)
        if partial.firstOffset == partial.nextOffset && partial.seconds.isEmpty && partial.malformedByReason.isEmpty {
            note(partial, tp)
            return false
        }
        if let expected = next[tp] {
            if partial.nextOffset <= expected {
                status.duplicates += 1
                return false
            }
            if partial.firstOffset > expected { status.gapRecords += partial.firstOffset - expected }
            if partial.firstOffset < expected { status.overlapRecords += expected - partial.firstOffset }
        }
        next[tp] = partial.nextOffset
        status.partials += 1
        note(partial, tp)
        members[partial.member]!.lines += partial.lines
        return true
    }

    /// The member of `partial` is alive, owns `tp`, and had this lag.
    private mutating func note(_ partial: MetricsPartial, _ tp: TopicPartition) {
        var m = members[partial.member] ?? AnalyzerStatus(member: partial.member, lag: 0, partitions: [], lines: 0, lastSeenMs: 0)
        if partial.producedAt >= m.lastSeenMs { m.lag = partial.memberLag }
        m.lastSeenMs = max(m.lastSeenMs, partial.producedAt)
        members[partial.member] = m
        if partial.producedAt >= partitionOwner[tp]?.at ?? .min { partitionOwner[tp] = (partial.member, partial.producedAt) }
    }

    mutating func countUndecodable() { status.undecodable += 1 }

    /// The status, with the analyzers heard from recently (by the partials' own clocks).
    func current(nowMs: Int64) -> MergeStatus {
        var s = status
        s.analyzers = members.values.map { m in
            var m = m
            m.active = nowMs - m.lastSeenMs <= Self.activeWindowMs
            m.partitions = partitionOwner.filter { $0.value.member == m.member && nowMs - $0.value.at <= Self.activeWindowMs }
                .map(\.key.partition).sorted()
            return m
        }.sorted { $0.member < $1.member }
        return s
    }
}

/// A shared counter cell (closures made before `self` exists can hold it).
final class LagCell: Sendable {
    let value = Atomic<Int64>(0)
}
