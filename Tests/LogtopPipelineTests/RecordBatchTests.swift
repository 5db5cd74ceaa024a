import Foundation
import LogtopCore
import LogtopKafka
import LogtopTestSupport
import Testing
@testable import LogtopPipeline

/// What logtop writes to the `logs` topic (batches of lines per record, numbered), what it reads from
/// other producers (one line or several per record), and how a run on its own embedded cluster starts.
@Suite(.serialized) struct RecordBatchTests {
    /// Runs `pipeline` until its finite sources are analysed (at most 60 s), then finishes it and
    /// returns the total report.
    func runToTheEnd(_ pipeline: Pipeline) throws -> IntervalReport {
        #expect(waitUntil(60) { pipeline.finiteRunComplete })
        pipeline.finish()
        return try #require(pipeline.takeReports().last)
    }

    /// The README's promise on the topic's format: a record holds complete lines joined by newlines, so
    /// `kcat -C -t logs` prints the log exactly, one access-log line per line, in the file's order.
    @Test(.timeLimit(.minutes(5))) func kcatPrintsTheFileOneLinePerLineFromLogtopsBatchedRecords() throws {
        let kcat = try requireTool("kcat", package: "kcat")
        let dir = try temporaryDirectory("records")
        let log = LogLines(count: 20_000, t0: 1_764_900_000, seed: 11)
        try log.text(0..<20_000).write(toFile: dir + "/access.log", atomically: true, encoding: .utf8)
        var config = PipelineConfig()
        let cluster = try ownCluster(for: &config)
        defer { cluster.close() }
        config.sources = [.file(dir + "/access.log")]
        let total = try runToTheEnd(try Pipeline(config: config))
        #expect(total.summary.requests == 20_000)

        let (status, printed) = runTool([kcat, "-b", cluster.bootstrapServers, "-t", "logs", "-C", "-o", "beginning", "-e", "-q"],
                                        stderr: false, timeout: 60)
        #expect(status == 0)
        let lines = printed.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.dropLast() == log.lines[...], "kcat printed \(lines.count - 1) lines")
        #expect(lines.last == "")

        // Far fewer records than lines, none over 64 KiB, numbered without holes.
        let reader = try LogConsumer(settings: cluster.settings(), group: "count-\(UUID().uuidString)")
        defer { reader.close() }
        try reader.subscribe(["logs"])
        var records = 0, lineCount = 0, largest = 0
        var numbering: [String] = []
        #expect(waitUntil(60) {
            _ = try? reader.poll(maxMessages: 5_000, timeoutMs: 100) { r in
                records += 1
                largest = max(largest, r.value.count)
                let seq = r.header(LogHeaders.seq).map { String(decoding: $0, as: UTF8.self) } ?? "none"
                numbering.append("\(seq) \(lineCount)/\(records - 1)")
                lineCount += r.value.split(separator: 0x0A, omittingEmptySubsequences: false).count
            }
            return lineCount >= 20_000
        })
        #expect(lineCount == 20_000)
        #expect(records <= 20_000 / 50, "\(records) records for 20,000 lines")
        #expect(largest <= 64 << 10)
        #expect(numbering.allSatisfy { $0.split(separator: " ").count == 2 && $0.split(separator: " ")[0] == $0.split(separator: " ")[1] },
                "each record's logtop-seq is LINE/RECORD of its first line: \(numbering.prefix(5))")
    }

    /// The embedded cluster keeps about 5 MiB per partition (after compression): a file of long lines
    /// that do not compress, all in one partition, must wait for the analyzer rather than be trimmed
    /// unseen. 30,000 lines of ~640 bytes of random hex are 19 MB, far over the retention.
    @Test(.timeLimit(.minutes(5))) func longIncompressibleLinesAreNeverTrimmedUnseen() throws {
        let dir = try temporaryDirectory("records")
        var rng = SystemRandomNumberGenerator()
        var text = ""
        for i in 0..<30_000 {
            let noise = (0..<38).map { _ in String(rng.next() | 1 << 63, radix: 16) }.joined()
            text += "10.1.\(i % 200).\(i % 250) - - [05/Dec/2026:10:00:00 +0000] \"GET /\(noise) HTTP/1.1\" 200 10\n"
        }
        try text.write(toFile: dir + "/access.log", atomically: true, encoding: .utf8)
        var config = PipelineConfig()
        config.sources = [.file(dir + "/access.log")]
        let pipeline = try Pipeline(config: config)
        let total = try runToTheEnd(pipeline)
        let s = pipeline.status()
        #expect(s.consumer.lostLines == 0 && s.consumer.lostRecords == 0)
        #expect(total.summary.requests == 30_000)
    }

    /// Another producer's records: one line with or without a final newline, several lines in one
    /// record, a malformed line among good ones. Each line counts as a line.
    @Test(.timeLimit(.minutes(5))) func recordsOfSeveralLinesFromAnotherProducerAreCountedLineByLine() throws {
        var config = PipelineConfig()
        let cluster = try ownCluster(for: &config)
        defer { cluster.close() }
        let log = LogLines(count: 8, t0: 1_764_900_000, seed: 5)
        let l = log.lines
        let values = [l[0] + "\n" + l[1] + "\n" + l[2], l[3] + "\n", l[4], "not an access log line\n" + l[5], l[6] + "\n" + l[7] + "\n"]
        let producer = try LogProducer(settings: cluster.settings())
        for v in values { #expect(producer.produce(topic: "logs", value: Array(v.utf8)) == .enqueued) }
        #expect(producer.flush(timeoutMs: 10_000))
        producer.close()

        config.sources = [.none]
        let pipeline = try Pipeline(config: config)
        #expect(waitUntil(30) { pipeline.status().snapshot.linesSeen >= 9 })
        let consumed = pipeline.status().consumer
        pipeline.finish()
        let total = try #require(pipeline.takeReports().last)
        #expect(total.summary.requests == 8)
        #expect(total.summary.malformed == 1)
        #expect(statusCounts(total) == LogLines.countByStatus(l))
        #expect(consumed.consumed == 5 && consumed.consumedLines == 9)
    }

    /// A run on its own embedded cluster is alone in its group: it takes every partition when it
    /// starts instead of waiting for the group to form (3 s on the embedded cluster).
    @Test(.timeLimit(.minutes(5))) func aRunOnItsOwnEmbeddedClusterHasEveryPartitionWhenItStarts() throws {
        var config = PipelineConfig()
        config.sources = [.none]
        let pipeline = try Pipeline(config: config)
        defer { pipeline.finish() }
        #expect(pipeline.embedded)
        #expect(pipeline.status().consumer.assignment.count == config.partitions)
    }

    /// On a cluster others can use, a run is a group member like any other.
    @Test(.timeLimit(.minutes(5))) func aRunOnASharedClusterJoinsItsGroup() throws {
        var config = PipelineConfig()
        let cluster = try ownCluster(for: &config)
        defer { cluster.close() }
        config.sources = [.none]
        let pipeline = try Pipeline(config: config)
        defer { pipeline.finish() }
        #expect(waitUntil(30) { pipeline.status().consumer.assignment.count == config.partitions })
    }

    /// Only a batch replay of files at full speed on its own embedded cluster fetches with the short
    /// wait; anything that can sit idle keeps the embedded cluster's default.
    @Test func onlyABatchReplayOfFilesOnItsOwnClusterFetchesWithAShortWait() {
        var replay = PipelineConfig()
        replay.sources = [.file("/a.log"), .file("/b.log.gz")]
        replay.endsWithItsSources = true
        #expect(Pipeline.consumerOverrides(replay, ownCluster: true) == ["fetch.wait.max.ms": "2"])
        #expect(Pipeline.consumerOverrides(replay, ownCluster: false).isEmpty, "a real broker answers when data arrives")
        var dashboard = replay
        dashboard.endsWithItsSources = false
        #expect(Pipeline.consumerOverrides(dashboard, ownCluster: true).isEmpty, "the dashboard stays open after its files")
        var paced = replay
        paced.replaySpeed = 60
        #expect(Pipeline.consumerOverrides(paced, ownCluster: true).isEmpty)
        var live = replay
        live.sources = [.file("/a.log"), .generator]
        #expect(Pipeline.consumerOverrides(live, ownCluster: true).isEmpty)
        var stdin = replay
        stdin.sources = [.stdin]
        #expect(Pipeline.consumerOverrides(stdin, ownCluster: true).isEmpty, "stdin may be a live tail -F")
    }
}
