import Foundation
import LogtopKafka
import Synchronization

/// `logtop analyze`: a member of the consumer group that aggregates its assigned partitions and
/// publishes their partials to the metrics topic every `publishIntervalMs`; offsets are stored once
/// the partials are delivered (see `MemberPublisher`).
struct MemberAnalyzer: Analyzer {
    let consumer: LogConsumer
    let member: MemberPublisher
    /// The member's consumer lag as of its last publication, for partials published on revocation.
    let lag: LagCell
    let lifecycle: LifecycleCell
    let publishIntervalMs: Int

    func run() {
        var lastPublish = Date().timeIntervalSince1970
        let interval = Double(max(50, publishIntervalMs)) / 1000
        while !lifecycle.current.analyzerShouldStop {
            _ = try? consumer.pollLines(maxMessages: 5_000, timeoutMs: 50) { r in
                let lines = member.ingest(r, cut: r.header(LogHeaders.cut) != nil)
                return LogHeaders.mark(run: r.header(LogHeaders.run), seq: r.header(LogHeaders.seq), lines: lines)
            }
            let now = Date().timeIntervalSince1970
            if now - lastPublish >= interval {
                lastPublish = now
                let stats = consumer.stats()
                lag.value.store(stats.totalLag, ordering: .relaxed)
                try? consumer.store(member.publish(memberLag: stats.totalLag))
                member.heartbeat(assigned: stats.assignment, memberLag: stats.totalLag)
            }
        }
        guard !lifecycle.current.crashed else { return }
        try? consumer.store(member.publish(memberLag: consumer.stats().totalLag))
        try? consumer.commitSync()
    }
}

/// A shared counter cell (closures made before the analyzer exists can hold it).
final class LagCell: Sendable {
    let value = Atomic<Int64>(0)
}
