import LogtopTestSupport
import Foundation
import LogtopCore
import LogtopKafka
import Testing
@testable import LogtopPipeline

/// Several analyzer members in one group publish partial aggregates; a view merges them.
@Suite(.serialized) struct ScaleOutTests {
    func cluster() throws -> EmbeddedKafkaCluster {
        let c = try EmbeddedKafkaCluster(brokers: 1)
        try c.createTopic("logs", partitions: 8)
        try c.createTopic("alerts", partitions: 1)
        try c.createTopic("logtop.metrics", partitions: 8)
        return c
    }

    func config(_ c: EmbeddedKafkaCluster, _ mode: AnalysisMode, sources: [SourceSpec] = [.none], member: String? = nil) -> PipelineConfig {
        var cfg = quickConfig(sources, rate: 2_000)
        cfg.kafka = c.settings()
        cfg.createTopics = false
        cfg.analyze = sources != [.generator]  // the generator only produces
        cfg.mode = mode
        cfg.group = "scale"
        cfg.memberID = member
        // Offsets are committed rarely: after a crash the group's committed offsets are far behind what
        // was published, and only the offset ranges on the metrics topic keep the merge exact.
        cfg.commitIntervalMs = 60_000
        cfg.publishIntervalMs = 300
        // The latenesses users get: a member's default, and the command line's for a merged view.
        cfg.engine.lateness = mode == .merged ? PipelineConfig.mergedViewLateness : EngineConfig().lateness
        return cfg
    }

    /// Members join, crash and leave while traffic flows; the merged view counts every record once.
    @Test(.timeLimit(.minutes(5))) func membersJoinCrashAndLeaveAndTheMergedTotalsStayExact() throws {
        let c = try cluster()
        defer { c.close() }
        let view = try Pipeline(config: config(c, .merged))
        defer { view.finish(drainTimeout: 1) }
        let a = try Pipeline(config: config(c, .member, member: "a"))
        let b = try Pipeline(config: config(c, .member, member: "b"))
        defer { b.finish(drainTimeout: 1) }
        let gen = try Pipeline(config: config(c, .local, sources: [.generator]))
        func merged() -> Int { view.status().snapshot.linesSeen }

        #expect(waitUntil(60) { merged() > 2_000 })
        #expect(waitUntil(30) { view.status().merge?.analyzers.count == 2 }, "\(String(describing: view.status().merge))")
        // A third member joins: partitions move from a and b to it.
        let joiner = try Pipeline(config: config(c, .member, member: "c"))
        #expect(waitUntil(60) { (joiner.status().member?.partials ?? 0) > 2 })
        #expect(waitUntil(30) { view.status().merge?.analyzers.count == 3 })
        // a dies without a word: its partitions wait out its session, then resume where its last
        // published partial ended.
        a.crash()
        let aLines = a.status().member?.lines ?? 0
        #expect(aLines > 0)
        let before = merged()
        #expect(waitUntil(60) { merged() > before + 4_000 })
        // c leaves cleanly: it publishes what it holds as its partitions are revoked.
        joiner.finish()
        let afterLeave = merged()
        #expect(waitUntil(60) { merged() > afterLeave + 2_000 })
        gen.finish()
        let delivered = gen.status().producer.delivered
        #expect(gen.status().producer.failed == 0)

        #expect(waitUntil(90) { merged() >= delivered }, "merged \(merged()) of \(delivered)")
        #expect(!waitUntil(1.5) { merged() > delivered })
        let s = view.status()
        #expect(s.snapshot.linesSeen == delivered, "nothing lost, nothing counted twice")
        let m = try #require(s.merge)
        #expect(m.overlapRecords == 0 && m.gapRecords == 0 && m.undecodable == 0)
        #expect(b.status().member?.failed == 0)
        // The members did the counting: what they aggregated covers everything (some of it twice:
        // what a aggregated but never published is counted again by its successor).
        let counted = aLines + (b.status().member?.lines ?? 0) + (joiner.status().member?.lines ?? 0)
        #expect(counted >= delivered)
        view.finish()
        #expect(view.takeReports().first { $0.isTotal }?.summary.requests == delivered)
    }

    /// Members with nothing to read are not taken for dead: their heartbeats keep them listed as
    /// active, with the partitions they own.
    @Test(.timeLimit(.minutes(5))) func idleMembersStayListedAsActive() throws {
        let c = try cluster()
        defer { c.close() }
        let view = try Pipeline(config: config(c, .merged))
        defer { view.finish(drainTimeout: 1) }
        let a = try Pipeline(config: config(c, .member, member: "a"))
        defer { a.finish(drainTimeout: 1) }
        let b = try Pipeline(config: config(c, .member, member: "b"))
        defer { b.finish(drainTimeout: 1) }
        #expect(waitUntil(60) {
            let active = view.status().merge?.activeAnalyzers ?? []
            return active.map(\.member) == ["a", "b"] && active.flatMap(\.partitions).count == 8
        }, "\(String(describing: view.status().merge))")
        #expect(view.status().snapshot.linesSeen == 0)
        #expect(view.status().merge?.partials == 0, "a heartbeat is not a partial")
    }
}
