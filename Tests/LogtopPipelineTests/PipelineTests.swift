import LogtopTestSupport
import Foundation
import LogtopCore
import LogtopKafka
import Testing
@testable import LogtopPipeline

@Suite(.serialized) struct ThroughKafka {
    @Test func replayedFileTotalsEqualAnIndependentCount() throws {
        var model = TrafficModel(seed: 3)
        var lines: [String] = []
        let t0: Int64 = 1_795_784_400
        for i in 0..<20_000 { lines.append(model.nextLine(time: t0 + Int64(i / 100), scenario: i % 7 == 0 ? .errors : nil)) }
        lines.insert("this is not an access log line", at: 500)
        let path = try temporaryFile(lines.joined(separator: "\n") + "\n")
        // Independent count: the status is the field after the closing quote of the request.
        var expected: [Int: Int] = [:]
        for l in lines {
            guard let open = l.range(of: "] \""),
                  let q = l.range(of: "\" ", options: .literal, range: open.upperBound..<l.endIndex) else { continue }
            expected[Int(l[q.upperBound...].prefix(3))!, default: 0] += 1
        }
        let pipeline = try Pipeline(config: quickConfig([.file(path)]))
        #expect(pipeline.embedded)
        #expect(waitUntil(60) { pipeline.finiteRunComplete })
        pipeline.finish()
        let reports = pipeline.takeReports()
        let total = try #require(reports.last)
        #expect(total.isTotal)
        #expect(total.summary.requests == 20_000)
        #expect(total.summary.malformed == 1)
        #expect(total.summary.late == 0)
        #expect(Dictionary(uniqueKeysWithValues: total.summary.status.map { ($0.code, $0.count) }) == expected)
        // Event time is the log's own: intervals are the log's minutes.
        #expect(reports.first!.start == t0)
        let s = pipeline.status()
        #expect(s.producer.produced == 20_001 && s.producer.delivered == 20_001 && s.producer.failed == 0)
        #expect(s.ownConsumed == 20_001)
        #expect(s.consumer.lostRecords == 0)
    }

    @Test func generatedLinesAreAllDeliveredAndAnalysed() throws {
        let pipeline = try Pipeline(config: quickConfig([.generator], rate: 3_000))
        #expect(waitUntil(30) { pipeline.status().generator.generated >= 10_000 })
        pipeline.finish()
        let s = pipeline.status()
        let total = try #require(pipeline.takeReports().last)
        #expect(s.generator.generated >= 10_000)
        #expect(s.producer.produced == s.generator.generated)
        #expect(s.producer.delivered == s.producer.produced && s.producer.failed == 0)
        #expect(total.summary.requests + total.summary.malformed == s.producer.delivered)
        #expect(total.summary.malformed == 0)
    }

    @Test func pausingStopsTheGenerator() throws {
        let pipeline = try Pipeline(config: quickConfig([.generator], rate: 500))
        defer { pipeline.finish(drainTimeout: 5) }
        #expect(waitUntil(20) { pipeline.status().generator.generated > 100 })
        pipeline.send(.setPaused(true))
        #expect(pipeline.status().generator.paused)
        // The generator reads its settings before each 5 ms tick: wait until its count holds.
        var atPause = -1
        #expect(waitUntil(10) {
            let before = pipeline.status().generator.generated
            Thread.sleep(forTimeInterval: 0.05)
            atPause = pipeline.status().generator.generated
            return atPause == before
        })
        #expect(waitUntil(20) { pipeline.status().snapshot.linesSeen >= atPause })
        // While paused nothing more is generated (checked over a bounded wait).
        #expect(!waitUntil(1) { pipeline.status().generator.generated > atPause })
        pipeline.send(.setPaused(false))
        #expect(waitUntil(20) { pipeline.status().generator.generated > atPause + 50 })
    }

    @Test func backPressureHoldsSourcesInsteadOfLosing() throws {
        var c = quickConfig([.generator], rate: 20_000)
        c.maxBacklog = 500
        let pipeline = try Pipeline(config: c)
        // Sampled all along: every record waits for room before it is produced, so with one source the
        // backlog never exceeds the bound by more than the record in hand: a batch of at most 64 KiB of
        // generated lines, each longer than 100 bytes.
        var largest = 0
        var heldBack = false
        #expect(waitUntil(30) {
            let s = pipeline.status()
            largest = max(largest, s.backlog)
            // A wait can be shorter than a sample's interval: the source counts them.
            heldBack = heldBack || (s.sources.first?.analyzerWaits ?? 0) > 0
            return s.generator.generated >= 20_000
        })
        #expect(largest <= 500 + (64 << 10) / 100, "backlog reached \(largest)")
        #expect(heldBack, "the source was seen waiting for the analyzer")
        pipeline.finish()
        let after = pipeline.status()
        #expect(after.consumer.lostLines == 0)
        #expect(after.ownConsumed == after.producer.delivered)
    }
}

/// Each scenario's lines, through Kafka and the analyzer with the DEFAULT rules, fire the scenario's rule.
/// One at a time: each waits (blocking its thread) up to the rule's window and `for` time, 10–20 s, and
/// six at once would hold the cooperative pool's threads from the suite's async tests.
@Suite(.serialized) struct ScenariosFireTheirAlerts {
    /// Runs the generator with `scenario` on from the start and waits for `rule` to fire.
    func fires(_ scenario: TrafficScenario, _ rule: AlertKind) throws -> AlertEvent? {
        try waitForFiring(rule, Pipeline(config: quickConfig([.generator], rate: 300, scenario: scenario)))
    }

    func waitForFiring(_ rule: AlertKind, _ pipeline: Pipeline, seconds: Double = 60) -> AlertEvent? {
        defer { pipeline.finish(drainTimeout: 5) }
        #expect(pipeline.config.engine.rules == AlertRule.defaults)
        var seen: [AlertEvent] = []
        _ = waitUntil(seconds) {
            seen += pipeline.takeAlerts()
            return seen.contains { $0.rule == rule && $0.state == .firing }
        }
        return seen.first { $0.rule == rule && $0.state == .firing }
    }

    @Test func floodNamesTheFlooder() throws {
        let e = try #require(try fires(.flood, .clientFlood))
        // The flooder adds 0.75 request per background request: 43 % of the requests (threshold 30 %).
        #expect(e.offender == TrafficModel(seed: 7).floodClient && e.value >= 30 && e.unit == "%")
    }

    @Test func scanFiresNotFoundSurge() throws {
        let e = try #require(try fires(.scan, .notFoundSurge))
        #expect(e.offender == TrafficModel(seed: 7).scanClient && e.value >= 10)
    }

    @Test func errorsFireErrorRate() throws {
        #expect(try fires(.errors, .errorRate) != nil)
    }

    @Test func slowFiresLatency() throws {
        #expect(try fires(.slow, .latencyP95) != nil)
    }

    /// Spike and drop compare with the 60 s before the window: the generated lines carry their own
    /// event time, so 70 s of baseline go through Kafka in a moment instead of 70 s of waiting.
    @Test func spikeFiresAgainstBaseline() throws {
        let path = try generatedLog(rate: 300, normalSeconds: 70, scenario: .spike, scenarioSeconds: 20)
        let e = try #require(waitForFiring(.rateSpike, try Pipeline(config: quickConfig([.file(path)]))))
        #expect(e.value >= 3)
    }

    /// After 80 s of traffic the log ends: event time follows the wall clock and the rate drops to 0.
    @Test func dropFiresWhenTrafficStops() throws {
        let path = try generatedLog(rate: 300, normalSeconds: 80)
        let e = try #require(waitForFiring(.rateDrop, try Pipeline(config: quickConfig([.file(path)]))))
        #expect(e.value <= 0.2)
    }
}

@Suite struct AlertsTopic {
    /// A second view (`--no-publish-alerts`) shows the alerts it evaluates but leaves the topic alone.
    @Test func aViewThatDoesNotPublishStillShowsItsAlerts() throws {
        var config = quickConfig([.generator], rate: 300, scenario: .flood)
        config.publishAlerts = false
        let pipeline = try Pipeline(config: config)
        defer { pipeline.finish(drainTimeout: 5) }
        var seen: [AlertEvent] = []
        #expect(waitUntil(60) { seen += pipeline.takeAlerts(); return !seen.isEmpty })
        #expect(pipeline.status().alertsPublished == 0)
        let settings = KafkaSettings(bootstrapServers: pipeline.brokerAddress, tunedForEmbeddedCluster: true)
        let onTopic = try KafkaTopicReader.tail(settings: settings, topic: "alerts", count: 100)
        #expect(onTopic.isEmpty)
        // Positive control: the same read finds records where there are some.
        #expect(try !KafkaTopicReader.tail(settings: settings, topic: "logs", count: 10).isEmpty)
    }

    @Test func kcatReadsTheAlertRecordsLogtopWrote() throws {
        let kcatPath = try requireTool("kcat", package: "kcat")
        let pipeline = try Pipeline(config: quickConfig([.generator], rate: 300, scenario: .flood))
        defer { pipeline.finish(drainTimeout: 5) }
        var seen: [AlertEvent] = []
        #expect(waitUntil(60) { seen += pipeline.takeAlerts(); return !seen.isEmpty })
        #expect(waitUntil(10) { pipeline.status().alertsPublished >= 1 && pipeline.status().alertsFailed == 0 })
        var output = ""
        #expect(waitUntil(30) {
            output = runTool([kcatPath, "-b", pipeline.brokerAddress, "-t", "alerts", "-C", "-o", "beginning", "-e", "-q",
                              "-f", "%k\t%s\n"], stderr: false, timeout: 20).1
            return output.contains("client_flood")
        })
        let line = try #require(output.split(separator: "\n").first { $0.contains("\"rule\":\"client_flood\"") })
        let parts = line.split(separator: "\t", maxSplits: 1)
        #expect(parts.count == 2)
        #expect(parts[0].hasPrefix("client_flood|"))      // key: rule and offender
        #expect(parts[1].contains("\"state\":\"firing\""))
        #expect(parts[1].contains("\"threshold\":30") && parts[1].contains("\"unit\":\"%\""))
    }
}

@Suite struct GeneratorCount {
    /// `logtop generate --count N` hands exactly N lines to Kafka, even at a rate that makes hundreds
    /// due at once, and the source then ends by itself.
    @Test func theGeneratorStopsAtExactlyItsCount() throws {
        var config = quickConfig([.generator], rate: 200_000)
        config.generator.count = 12_345
        config.analyze = false
        let pipeline = try Pipeline(config: config)
        defer { pipeline.finish(drainTimeout: 5) }
        #expect(waitUntil(60) { pipeline.status().activeSources == 0 })
        #expect(waitUntil(30) { pipeline.status().producer.inFlight == 0 })
        let s = pipeline.status()
        #expect(s.generator.generated == 12_345)
        #expect(s.producer.delivered == 12_345)
    }
}
