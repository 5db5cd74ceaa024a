import LogtopTestSupport
import Foundation
import LogtopCore
import LogtopKafka
import Testing
@testable import LogtopPipeline

/// Access-log lines with the log's own timestamps (one second per 50 lines from `t0`), and their count
/// by status code made independently of logtop's parser.
struct LogLines {
    var lines: [String] = []
    var byStatus: [Int: Int] = [:]

    init(count: Int, t0: Int64, seed: UInt64) {
        var model = TrafficModel(seed: seed)
        for i in 0..<count {
            let line = model.nextLine(time: t0 + Int64(i / 50), scenario: i % 5 == 0 ? .errors : nil)
            lines.append(line)
        }
        byStatus = Self.countByStatus(lines)
    }

    static func countByStatus(_ lines: [String]) -> [Int: Int] {
        var counts: [Int: Int] = [:]
        for l in lines {
            guard let open = l.range(of: "] \""),
                  let q = l.range(of: "\" ", options: .literal, range: open.upperBound..<l.endIndex) else { continue }
            counts[Int(l[q.upperBound...].prefix(3))!, default: 0] += 1
        }
        return counts
    }

    func text(_ range: Range<Int>) -> String { lines[range].map { $0 + "\n" }.joined() }
}

func statusCounts(_ report: IntervalReport) -> [Int: Int] {
    Dictionary(uniqueKeysWithValues: report.summary.status.map { ($0.code, $0.count) })
}

@Suite(.serialized) struct SourcesThroughKafka {
    @Test func followedFileAcrossRotationGivesTheLogsOwnCounts() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/access.log"
        let t0: Int64 = 1_795_784_400   // 2026-11-26T10:20:00Z, a whole minute
        let log = LogLines(count: 3_000, t0: t0, seed: 11)
        let old = LogWriter(path)
        old.write("203.0.113.9 - - [01/Jan/2020:00:00:00 +0000] \"GET /before HTTP/1.1\" 200 1 \"-\" \"x\"\n")
        var config = quickConfig([.followedFile(path, fromStart: false)])
        config.followPollMs = 50
        let pipeline = try Pipeline(config: config)
        defer { pipeline.finish(drainTimeout: 5) }
        #expect(waitUntil(20) { pipeline.status().sources.first?.state == .following })

        // Growth, with a line cut across two writes.
        old.write(log.text(0..<1_000))
        let cut = log.lines[1_000]
        old.write(String(cut.prefix(20)))
        #expect(waitUntil(30) { pipeline.status().sources[0].lines == 1_000 })
        // The unfinished line is held back (checked over a bounded wait) until its end arrives.
        #expect(!waitUntil(0.5) { pipeline.status().sources[0].lines > 1_000 })
        old.write(String(cut.dropFirst(20)) + "\n" + log.text(1_001..<1_500))
        // Rotation by rename: the writer finishes in the old file, then moves to a new one.
        #expect(rename(path, dir + "/access.log.1") == 0)
        old.write(log.text(1_500..<2_000))
        let new = LogWriter(path)
        new.write(log.text(2_000..<3_000))

        #expect(waitUntil(30) { pipeline.status().sources[0].lines == 3_000 })
        #expect(waitUntil(30) { pipeline.status().ownConsumed == 3_000 })
        let s = pipeline.status()
        #expect(s.sources.count == 1)
        #expect(s.sources[0].name == "file:\(path)")
        #expect(s.sources[0].rotations == 1)
        #expect(["following", "reading"].contains(s.sources[0].text()))
        #expect(!pipeline.finiteRunComplete)   // a followed file never ends the run by itself
        pipeline.finish()
        let reports = pipeline.takeReports()
        let total = try #require(reports.last)
        #expect(total.isTotal)
        #expect(total.summary.requests == 3_000)
        #expect(total.summary.malformed == 0)
        #expect(statusCounts(total) == log.byStatus)
        #expect(reports.first?.start == t0)    // the log's own minutes, not the wall clock's
        #expect(pipeline.status().sources[0].state == .stopped)
    }

    @Test func severalSourcesAtOnceKeepTheirNames() throws {
        let dir = try temporaryDirectory()
        let t0: Int64 = 1_795_784_400
        let followed = LogLines(count: 700, t0: t0, seed: 21)
        let streamed = LogLines(count: 500, t0: t0 + 14, seed: 22)
        let archived = LogLines(count: 900, t0: t0 + 24, seed: 23)
        let followedPath = dir + "/access.log"
        try followed.text(0..<700).write(toFile: followedPath, atomically: true, encoding: .utf8)
        let archivePath = dir + "/access.log.2"
        try archived.text(0..<900).write(toFile: archivePath, atomically: true, encoding: .utf8)
        let gzip = try #require(["/usr/bin/gzip", "/bin/gzip"].first { FileManager.default.isExecutableFile(atPath: $0) })
        runTool([gzip, archivePath])
        let server = try LineServer(host: "127.0.0.1", port: 0)
        defer { server.close() }

        var config = quickConfig([
            .followedFile(followedPath, fromStart: true), .tcp(host: "127.0.0.1", port: server.port), .file(archivePath + ".gz"),
        ])
        config.followPollMs = 50
        let pipeline = try Pipeline(config: config)
        defer { pipeline.finish(drainTimeout: 5) }
        let names = ["file:\(followedPath)", "tcp://127.0.0.1:\(server.port)", "file:\(archivePath).gz"]
        #expect(pipeline.status().sources.map(\.name) == names)
        // Connected, and accepted by the server (lines broadcast before that are not for this client).
        #expect(waitUntil(20) { pipeline.status().sources[1].state == .connected && server.clientCount == 1 })
        server.broadcast(Array(streamed.text(0..<500).utf8))

        #expect(waitUntil(30) { pipeline.status().sources.map(\.lines) == [700, 500, 900] })
        #expect(waitUntil(30) { pipeline.status().ownConsumed == 2_100 })
        let s = pipeline.status()
        #expect(s.sources.map { $0.text() } == ["following", "connected", "done"])
        #expect(s.sources[1].connections == 1)
        #expect(!pipeline.finiteRunComplete)

        // Every record says which source it came from (header), and is keyed by it (one partition each).
        let verifier = try LogConsumer(settings: KafkaSettings(bootstrapServers: pipeline.brokerAddress, tunedForEmbeddedCluster: true),
                                       group: "verify-\(UUID().uuidString)")
        defer { verifier.close() }
        try verifier.subscribe([config.topic])
        var bySource: [String: Int] = [:]
        var partitions: [String: Set<Int32>] = [:]
        var wrongKeys = 0
        #expect(waitUntil(30) {
            for r in (try? verifier.poll(maxMessages: 5_000, timeoutMs: 100)) ?? [] {
                let name = r.headers.first { $0.name == LogHeaders.source }.map { String(decoding: $0.value, as: UTF8.self) } ?? "?"
                // logtop's records hold several lines, joined by newlines.
                bySource[name, default: 0] += r.value.split(separator: 0x0A, omittingEmptySubsequences: false).count
                partitions[name, default: []].insert(r.partition)
                if r.key.map({ String(decoding: $0, as: UTF8.self) }) != name { wrongKeys += 1 }
            }
            return bySource.values.reduce(0, +) >= 2_100
        })
        #expect(bySource == [names[0]: 700, names[1]: 500, names[2]: 900])
        #expect(wrongKeys == 0)
        #expect(partitions.values.allSatisfy { $0.count == 1 })

        pipeline.finish()
        let total = try #require(pipeline.takeReports().last)
        #expect(total.summary.requests == 2_100)
        #expect(statusCounts(total) == LogLines.countByStatus(followed.lines + streamed.lines + archived.lines))
    }

    @Test func backPressureSaysWhichSourceWaitsAndLosesNothing() throws {
        let log = LogLines(count: 10_000, t0: 1_795_784_400, seed: 31)
        let path = try temporaryFile(log.text(0..<10_000))
        var config = quickConfig([.file(path)])
        config.maxBacklog = 300
        let pipeline = try Pipeline(config: config)
        defer { pipeline.finish(drainTimeout: 5) }
        var sawWait = false
        #expect(waitUntil(60) {
            let s = pipeline.status()
            if s.waitingSources == ["file:\(path)"] && s.backPressured && s.sources[0].text() == "waiting for analyzer" {
                sawWait = true
            }
            return pipeline.finiteRunComplete
        })
        #expect(sawWait)
        pipeline.finish()
        let s = pipeline.status()
        #expect(s.sources[0].lines == 10_000 && s.sources[0].state == .done && s.sources[0].waiting == nil)
        #expect(!s.backPressured)
        #expect(s.consumer.lostRecords == 0)
        let total = try #require(pipeline.takeReports().last)
        #expect(total.summary.requests == 10_000)
        #expect(statusCounts(total) == log.byStatus)
    }
}
