import Foundation
import LogtopCore
import LogtopKafka
import LogtopTestSupport
import Testing
@testable import LogtopPipeline

/// README: "a restarted or killed analyzer resumes at the committed offsets with no gap, analysing
/// again at most one commit interval (1 s) of records". Counted in lines (a record holds a batch of
/// them), as the README's figures are. Driven with the default commit interval on a
/// local analyzer that is killed (no commit, no LeaveGroup) while traffic flows.
@Suite struct LocalReplayTests {
    @Test(.timeLimit(.minutes(5))) func aKilledLocalAnalyzerIsReplayedForAtMostOneCommitInterval() throws {
        var base = PipelineConfig()
        let cluster = try ownCluster(for: &base)
        defer { cluster.close() }
        base.group = "replay-\(UUID().uuidString.prefix(6))"
        #expect(base.commitIntervalMs == 1_000, "the default the README states")
        let rate = 2_000.0
        var producing = base
        producing.sources = [.generator]
        producing.analyze = false
        producing.generator = GeneratorConfig(rate: rate, seed: 11)
        let generator = try Pipeline(config: producing)
        var analysing = base
        analysing.sources = []

        let first = try Pipeline(config: analysing)
        // Analysing at the pace of the traffic (no backlog), for a while.
        #expect(waitUntil(60) { first.status().consumer.consumedLines > 10_000 && first.status().consumer.totalLag < Int64(rate / 4) })
        first.crash()
        let firstTook = first.status().consumer.consumedLines
        let second = try Pipeline(config: analysing)
        defer { second.finish(drainTimeout: 5) }
        #expect(waitUntil(60) { second.status().consumer.consumedLines > 2_000 })
        generator.finish()
        let delivered = generator.status().producer.delivered
        #expect(generator.status().producer.failed == 0)
        #expect(waitUntil(60) { firstTook + second.status().consumer.consumedLines >= delivered })
        #expect(second.status().consumer.lostLines == 0, "no gap")
        let replayed = firstTook + second.status().consumer.consumedLines - delivered
        // One commit interval of traffic at the generator's rate (its noise is ±15 %), and the commit
        // that may still have been on its way: 1.25 s.
        #expect(replayed >= 0)
        #expect(Double(replayed) <= rate * 1.15 * 1.25, "\(replayed) lines analysed twice")
    }
}
