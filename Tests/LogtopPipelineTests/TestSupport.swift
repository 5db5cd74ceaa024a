import Foundation
import LogtopCore
import LogtopKafka
@testable import LogtopPipeline
import LogtopTestSupport

/// A fresh empty temporary directory, `logtop-LABEL-…` (the label says which tests left it).
func temporaryDirectory(_ label: String = "src") throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("logtop-\(label)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// A temporary file with `text`.
func temporaryFile(_ text: String, name: String = "access.log") throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("logtop-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent(name).path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// A log of generated traffic, as the generator source would write it at `rate` lines/s (its pacer
/// ticked every 100 ms): `normalSeconds` of normal traffic, then `scenarioSeconds` of `scenario`,
/// stamped from `start` on. Event time comes from the lines, so minutes of traffic go through Kafka
/// and the analyzer in seconds.
func generatedLog(rate: Double, normalSeconds: Int, scenario: TrafficScenario? = nil, scenarioSeconds: Int = 0,
                  start: Int64 = 1_795_784_400, seed: UInt64 = 7) throws -> String {
    var pacer = TrafficPacer(rate: rate, seed: seed)
    var model = TrafficModel(seed: seed)
    _ = pacer.due(nowNanos: 0, scenario: nil)
    var text = ""
    for tick in 1...((normalSeconds + scenarioSeconds) * 10) {
        let sc = tick > normalSeconds * 10 ? scenario : nil
        for _ in 0..<pacer.due(nowNanos: UInt64(tick) * 100_000_000, scenario: sc) {
            text += model.nextLine(time: start + Int64(tick / 10), scenario: sc) + "\n"
        }
    }
    return try temporaryFile(text)
}

func quickConfig(_ sources: [SourceSpec], rate: Double = 200, scenario: TrafficScenario? = nil) -> PipelineConfig {
    var c = PipelineConfig()
    c.sources = sources
    c.generator = GeneratorConfig(rate: rate, seed: 7, scenario: scenario)
    c.engine.lateness = 1
    c.engine.interval = 60
    c.snapshotIntervalMs = 100
    return c
}

/// A cluster of the test's own (so that it can inject faults, or outlive one pipeline for the next),
/// with the topics `config` uses; `config` is pointed at it. Close it at the end of the test.
func ownCluster(for config: inout PipelineConfig) throws -> EmbeddedKafkaCluster {
    let cluster = try EmbeddedKafkaCluster.hosting(config.topics)
    config.kafka = cluster.settings()
    config.createTopics = false
    return cluster
}
