import Foundation
import LogtopCore
import LogtopKafka
import LogtopTestSupport
import Testing
@testable import LogtopPipeline

/// When the broker really fails deliveries or trims records, the figures reach results.txt and the
/// JSON `kafka` record (what the dashboard's pane shows comes from the same status).
@Suite(.serialized) struct KafkaAccountingTests {
    /// Runs `pipeline` to its end with the batch runner, writing into `dir`; returns results.txt's
    /// text and the JSON records.
    func runBatch(_ pipeline: Pipeline, in dir: String, duration: Double?, during: @escaping @Sendable () -> Void = {}) throws
        -> (String, [[String: Any]]) {
        let writer = try ResultsWriter(textPath: dir + "/results.txt", jsonPath: dir + "/r.jsonl")
        let runner = BatchRunner(pipeline: pipeline, writer: writer, duration: duration, stopRequested: { false }, log: { _ in })
        Thread.detachNewThread(during)
        _ = runner.run()
        let text = try String(contentsOfFile: dir + "/results.txt", encoding: .utf8)
        let records = try String(contentsOfFile: dir + "/r.jsonl", encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        return (text, records)
    }

    @Test(.timeLimit(.minutes(5))) func deliveriesThatTimeOutAreCountedAsFailedByReason() throws {
        var config = PipelineConfig()
        let cluster = try ownCluster(for: &config)
        defer { cluster.close() }
        config.kafka?.extra["message.timeout.ms"] = "1500"
        config.generator = GeneratorConfig(rate: 1_000, seed: 2)
        let pipeline = try Pipeline(config: config)
        let dir = try temporaryDirectory("accounting")
        let (text, records) = try runBatch(pipeline, in: dir, duration: 12) {
            // An outage longer than message.timeout.ms, once lines flow.
            _ = waitUntil(20) { pipeline.status().producer.delivered > 500 }
            try? cluster.setBrokerDown(1)
            Thread.sleep(forTimeInterval: 4)
            try? cluster.setBrokerUp(1)
        }
        let kafka = try #require(records.last)
        let failed = try #require(kafka["failed"] as? Int)
        #expect(failed > 0, "\(kafka)")
        #expect((kafka["failures"] as? [String: Int]) == ["_MSG_TIMED_OUT": failed])
        #expect(text.contains("failed \(failed) (_MSG_TIMED_OUT: \(failed))"), "\(text)")
        let produced = try #require(kafka["produced"] as? Int), delivered = try #require(kafka["delivered"] as? Int)
        #expect(produced == delivered + failed, "every line delivered or counted as failed")
        let total = try #require(records.first { $0["type"] as? String == "total" })
        #expect(total["requests"] as? Int == delivered, "what was delivered was analysed")
    }

    /// An analyzer of group `g` reads a file and commits; while it is away, far more than the
    /// embedded cluster's 5 MiB retention per partition arrives in the same partition; when it comes
    /// back, what the broker trimmed before it could read it is counted as lost.
    @Test(.timeLimit(.minutes(5))) func recordsTrimmedBeforeTheAnalyzerReadsThemAreCountedAsLost() throws {
        let dir = try temporaryDirectory("accounting")
        let path = dir + "/access.log"  // one name: one key, one partition for both files
        func lines(_ count: Int, seed: UInt64) -> String {
            // Random paths: lz4 cannot shrink them below the retention.
            var rng = SplitMix64(seed: seed)
            var text = ""
            for i in 0..<count {
                let noise = (0..<12).map { _ in String(rng.next(), radix: 16) }.joined()
                text += "10.0.\(i % 250).\(i % 200) - - [05/Dec/2026:10:\(String(format: "%02d", (i / 1000) % 60)):00 +0000] \"GET /\(noise) HTTP/1.1\" 200 100\n"
            }
            return text
        }
        var config = PipelineConfig()
        let cluster = try ownCluster(for: &config)
        defer { cluster.close() }
        config.group = "g"

        try lines(1_000, seed: 1).write(toFile: path, atomically: true, encoding: .utf8)
        var first = config
        first.sources = [.file(path)]
        let (_, firstRecords) = try runBatch(try Pipeline(config: first), in: dir, duration: 60)
        #expect(firstRecords.first { $0["type"] as? String == "total" }?["requests"] as? Int == 1_000)

        let count = 40_000
        try lines(count, seed: 2).write(toFile: path, atomically: true, encoding: .utf8)
        var producing = config
        producing.sources = [.file(path)]
        producing.analyze = false
        let producer = try Pipeline(config: producing)
        producer.waitForSources(duration: 60) { false }
        producer.finish()
        #expect(producer.status().producer.delivered == count)

        var back = config
        back.sources = []
        let secondDir = try temporaryDirectory("accounting")
        let (results, records) = try runBatch(try Pipeline(config: back), in: secondDir, duration: 10)
        let kafka = try #require(records.last)
        let lost = try #require(kafka["lost"] as? Int)
        #expect(lost > 0, "\(kafka)")
        #expect(results.contains("  lost \(lost)  "), "\(results)")
        let total = try #require(records.first { $0["type"] as? String == "total" })
        let analysed = (total["requests"] as? Int ?? 0) + (total["malformed"] as? Int ?? 0)
        #expect(analysed + lost == count, "analysed \(analysed) + lost \(lost) == \(count): nothing unaccounted")
    }
}
