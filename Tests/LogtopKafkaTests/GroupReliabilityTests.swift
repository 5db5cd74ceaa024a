import LogtopTestSupport
import Foundation
import Testing
@testable import LogtopKafka

/// At-least-once across commit failures and a crashed member, on the embedded cluster.
@Suite struct GroupReliabilityTests {
    /// Produces `count` records "partition:sequence" round-robin over `partitions` partitions.
    func fill(_ cluster: EmbeddedKafkaCluster, topic: String, partitions: Int32, count: Int) throws {
        let producer = try LogProducer(settings: cluster.settings())
        defer { producer.close() }
        for index in 0..<count {
            let p = Int32(index) % partitions
            let value = Array("\(p):\(index)".utf8)
            while producer.produce(topic: topic, partition: p, value: value) == .queueFull {
                Thread.sleep(forTimeInterval: 0.001)
            }
        }
        #expect(producer.flush(timeoutMs: 30_000))
        #expect(producer.stats().delivered == count)
    }

    func partitions(_ topic: String, _ n: Int32) -> [TopicPartition] {
        (0..<n).map { TopicPartition(topic: topic, partition: $0) }
    }

    /// Refused offset commits (rebalance in progress, coordinator not available or moved) are retried:
    /// the background commit and the final commit at close both get through, and a new member of the
    /// group resumes exactly where the first one stopped: nothing lost, nothing read twice.
    @Test(.timeLimit(.minutes(5)))
    func refusedCommitsAreRetriedWithoutLoss() throws {
        let cluster = try EmbeddedKafkaCluster()
        defer { cluster.close() }
        let topic = uniqueName("commits")
        try cluster.createTopic(topic, partitions: 4)
        try fill(cluster, topic: topic, partitions: 4, count: 2_000)
        let group = uniqueName("group")
        let tps = partitions(topic, 4)

        let first = try LogConsumer(settings: cluster.settings(), group: group, autoCommitIntervalMs: 200)
        try first.subscribe([topic])
        let refusals: [KafkaErrorCode] = [.rebalanceInProgress, .coordinatorNotAvailable, .notCoordinator, .rebalanceInProgress]
        try synchronously {
            // Join and read half, then make the coordinator refuse the next commits.
            let head = try consume(first, count: 1_000, seconds: 30)
            #expect(head.count >= 1_000)
            try cluster.pushRequestErrors(.offsetCommit, refusals)
            let rest = try consume(first, count: 2_000 - head.count, seconds: 30)
            #expect(head.count + rest.count == 2_000)
            // The background commit keeps retrying until the group holds every offset.
            // (Polling serves the commit results to the consumer's callback.)
            let allCommitted = waitUntil(30) {
                _ = try? first.poll(maxMessages: 1, timeoutMs: 10)
                return (try? first.committed(tps))?.values.reduce(0, +) == 2_000
            }
            #expect(allCommitted, "committed: \(String(describing: try? first.committed(tps)))")
        }
        #expect(first.stats().commitFailures >= 1, "the refusals reached the consumer")
        #expect(first.stats().commits >= 1)

        first.close()

        // The final commit at close is refused too, and retried. (This member's background commit
        // never runs, so the commit at close is the only one.)
        try fill(cluster, topic: topic, partitions: 4, count: 400)
        let closing = try LogConsumer(settings: cluster.settings(), group: group, autoCommitIntervalMs: 600_000)
        try closing.subscribe([topic])
        try synchronously {
            let more = try consume(closing, count: 400, seconds: 30)
            #expect(more.count == 400)
            try cluster.pushRequestErrors(.offsetCommit, [.rebalanceInProgress, .rebalanceInProgress, .coordinatorNotAvailable, .rebalanceInProgress])
            closing.close()
        }
        let second = try LogConsumer(settings: cluster.settings(), group: group)
        defer { second.close() }
        #expect(try synchronously { try second.committed(tps).values.reduce(0, +) } == 2_400)
        try second.subscribe([topic])
        try fill(cluster, topic: topic, partitions: 4, count: 4)
        let again = try synchronously { () -> [ConsumedRecord] in
            var records = try consume(second, count: 4, seconds: 30)
            records += try consume(second, count: 1, seconds: 0.5)
            return records
        }
        // Only the 4 records produced after the close: nothing before them is delivered again.
        #expect(again.count == 4)
        #expect(Set(again.map(\.offset)) == [600], "offsets: \(again.map(\.offset))")
    }

    /// A member killed mid-stream (no final commit, no LeaveGroup: what SIGKILL does) is replaced by a
    /// new member of the group, which resumes from the last committed offsets: no gap, and the records
    /// analysed twice are exactly those the dead member processed after its last commit, bounded by the
    /// commit interval.
    @Test(.timeLimit(.minutes(5)))
    func aKilledMemberIsReplacedWithoutGapAndABoundedReplay() throws {
        let cluster = try EmbeddedKafkaCluster()
        defer { cluster.close() }
        let topic = uniqueName("crash")
        let n = 20_000
        try cluster.createTopic(topic, partitions: 8)
        try fill(cluster, topic: topic, partitions: 8, count: n)
        let group = uniqueName("group")
        let tps = partitions(topic, 8)
        let commitInterval = 0.5

        // The first member processes at a steady pace (about 4 000 records/s) and is killed halfway.
        struct Processed: Sendable { var time: Double; var partition: Int32; var offset: Int64 }
        let doomed = try LogConsumer(settings: cluster.settings(), group: group, autoCommitIntervalMs: Int(commitInterval * 1000))
        try doomed.subscribe([topic])
        let (processed, killedAt) = try synchronously { () -> ([Processed], Double) in
            var processed: [Processed] = []
            let deadline = Date().addingTimeInterval(60)
            while processed.count < n / 2, Date() < deadline {
                let batch = try doomed.poll(maxMessages: 40, timeoutMs: 100)
                let now = Date().timeIntervalSince1970
                processed += batch.map { Processed(time: now, partition: $0.partition, offset: $0.offset) }
                try doomed.storeOffsets(for: batch)
                Thread.sleep(forTimeInterval: 0.01)
            }
            let killedAt = Date().timeIntervalSince1970
            doomed.abandon()
            return (processed, killedAt)
        }
        #expect(processed.count >= n / 2)

        let successor = try LogConsumer(settings: cluster.settings(), group: group)
        defer { successor.close() }
        let committed = try synchronously { try successor.committed(tps) }
        try successor.subscribe([topic])
        let resumed = try synchronously { () -> [ConsumedRecord] in
            // The group first waits out the dead member's session (6 s on the embedded cluster).
            let expected = n - Int(committed.values.reduce(0, +))
            var records = try consume(successor, count: expected, seconds: 60)
            records += try consume(successor, count: 1, seconds: 0.5)
            return records
        }
        #expect(successor.stats().lostRecords == 0)

        // The successor starts at the committed offsets and reads every later record once.
        for tp in tps {
            let start = committed[tp] ?? 0
            let offsets = resumed.filter { $0.partition == tp.partition }.map { $0.offset }
            #expect(offsets == Array(start..<Int64(n / 8)), "partition \(tp.partition) resumes at \(start)")
        }
        // Nothing lost: what the dead member processed plus what its successor read covers every record.
        var seen = Set(processed.map { "\($0.partition):\($0.offset)" })
        for r in resumed { seen.insert("\(r.partition):\(r.offset)") }
        #expect(seen.count == n)

        // Replayed: processed by the dead member at or after its partition's committed offset.
        let replayed = processed.filter { $0.offset >= (committed[TopicPartition(topic: topic, partition: $0.partition)] ?? 0) }
        #expect(replayed.count == processed.count + resumed.count - n)
        // Bounded by the commit interval: everything processed before the last commit that had time to
        // complete (an interval, plus one more for a commit in flight, plus a second for the timer
        // thread on a loaded machine) is committed.
        let recent = processed.filter { $0.time >= killedAt - 2 * commitInterval - 1.0 }
        #expect(replayed.count <= recent.count, "replayed \(replayed.count), processed in the last two intervals \(recent.count)")
        #expect(replayed.allSatisfy { $0.time >= killedAt - 2 * commitInterval - 1.0 })
    }
}
