import Foundation
import LogtopCore
import LogtopKafka
import Testing
@testable import LogtopPipeline

/// Several pipelines on one shared embedded cluster: a producer-only generator and analyzers in one
/// consumer group, as separate processes would be.
@Suite(.serialized) struct SharedClusterReliability {
    func cluster(partitions: Int = 8) throws -> EmbeddedKafkaCluster {
        let c = try EmbeddedKafkaCluster(brokers: 1)
        try c.createTopic("logs", partitions: partitions)
        try c.createTopic("alerts", partitions: 1)
        return c
    }

    func config(_ c: EmbeddedKafkaCluster, sources: [SourceSpec], analyze: Bool, group: String = "g") -> PipelineConfig {
        var cfg = quickConfig(sources, rate: 2_000)
        cfg.kafka = c.settings()
        cfg.createTopics = false
        cfg.analyze = analyze
        cfg.group = group
        cfg.commitIntervalMs = 200
        return cfg
    }

    /// Generates about `count` lines, then stops the generator and returns how many were delivered.
    func produce(_ c: EmbeddedKafkaCluster, atLeast count: Int, while body: (Pipeline) -> Void = { _ in }) throws -> Int {
        let gen = try Pipeline(config: config(c, sources: [.generator], analyze: false))
        body(gen)
        #expect(waitUntil(60) { gen.status().generator.generated >= count })
        gen.finish()
        let s = gen.status()
        #expect(s.producer.failed == 0 && s.producer.inFlight == 0)
        return s.producer.delivered
    }

    @Test func gracefulRestartResumesFromCommittedOffsetsWithoutGapOrDuplicate() throws {
        let c = try cluster()
        defer { c.close() }
        let first = try Pipeline(config: config(c, sources: [.none], analyze: true))
        var firstSeen = 0
        var second: Pipeline?
        let delivered = try produce(c, atLeast: 8_000) { _ in
            // Stop the first analyzer mid-stream, then start its replacement in the same group.
            _ = waitUntil(30) { first.status().snapshot.linesSeen >= 2_000 }
            first.finish()   // commits what it has taken
            firstSeen = first.status().snapshot.linesSeen
            second = try? Pipeline(config: config(c, sources: [.none], analyze: true))
        }
        let replacement = try #require(second)
        #expect(firstSeen >= 2_000 && firstSeen < delivered)
        #expect(waitUntil(60) { firstSeen + replacement.status().snapshot.linesSeen >= delivered })
        // Give a duplicate a chance to show up before comparing exactly.
        #expect(!waitUntil(1) { firstSeen + replacement.status().snapshot.linesSeen > delivered })
        replacement.finish()
        #expect(firstSeen + replacement.status().snapshot.linesSeen == delivered)
        #expect(first.status().consumer.lostRecords == 0 && replacement.status().consumer.lostRecords == 0)
    }

    /// At-least-once across a rebalance: nothing is lost; records processed but not yet committed when
    /// partitions move are analysed again by their new owner. On the embedded cluster a joining member
    /// waits about `session.timeout.ms` (6 s) while commits are refused (REBALANCE_IN_PROGRESS).
    @Test func aSecondAnalyzerJoinsAndLeavesWhileTrafficFlows() throws {
        let c = try cluster()
        defer { c.close() }
        let a = try Pipeline(config: config(c, sources: [.none], analyze: true))
        var b: Pipeline?
        let delivered = try produce(c, atLeast: 16_000) { _ in
            // While the generator runs: b joins the group, takes partitions, then leaves.
            _ = waitUntil(30) { a.status().snapshot.linesSeen > 2_000 }
            b = try? Pipeline(config: config(c, sources: [.none], analyze: true))
            _ = waitUntil(60) { (b?.status().snapshot.linesSeen ?? 0) > 1_000 }
        }
        let member = try #require(b)
        #expect(member.status().snapshot.linesSeen > 0)
        member.finish()
        let bSeen = member.status().snapshot.linesSeen
        #expect(waitUntil(90) { a.status().snapshot.linesSeen + bSeen >= delivered })
        a.finish()
        let total = a.status().snapshot.linesSeen + bSeen
        #expect(total >= delivered, "nothing lost")
        // Re-analysed records are the ones processed but not committed when partitions moved; on the
        // embedded cluster that window is the whole join (commits are refused meanwhile), which grows
        // with the machine's load, so only a sanity bound is asserted: no record analysed three times.
        #expect(total - delivered <= delivered, "duplicates: \(total - delivered)")
        #expect(a.status().consumer.lostRecords == 0 && member.status().consumer.lostRecords == 0)
    }
}
