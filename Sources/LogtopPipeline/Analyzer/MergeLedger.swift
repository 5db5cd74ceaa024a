import LogtopCore
import LogtopKafka

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
