import Foundation
import LogtopCore
import LogtopKafka
@testable import LogtopPipeline
import LogtopTestSupport

/// A temporary file with `text`.
func temporaryFile(_ text: String, name: String = "access.log") throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("logtop-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent(name).path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Short windows so that alert tests take seconds, not minutes.
func quickRules() -> [AlertRule] {
    [
        AlertRule(kind: .errorRate, threshold: 5, window: 5, minVolume: 20, forSeconds: 2),
        AlertRule(kind: .rateHigh, threshold: 100_000, window: 5, minVolume: 0, forSeconds: 2),
        AlertRule(kind: .rateSpike, threshold: 3, window: 3, minVolume: 50, forSeconds: 2, baseline: 8),
        AlertRule(kind: .rateDrop, threshold: 0.2, window: 3, minVolume: 50, forSeconds: 2, resolveRatio: 0.5, baseline: 8),
        AlertRule(kind: .clientFlood, threshold: 50, window: 5, minVolume: 0, forSeconds: 2),
        AlertRule(kind: .notFoundSurge, threshold: 20, window: 5, minVolume: 0, forSeconds: 2),
        AlertRule(kind: .latencyP95, threshold: 1000, window: 5, minVolume: 20, forSeconds: 2),
    ]
}

func quickConfig(_ sources: [SourceSpec], rate: Double = 200, scenario: TrafficScenario? = nil) -> PipelineConfig {
    var c = PipelineConfig()
    c.sources = sources
    c.generator = GeneratorConfig(rate: rate, seed: 7, scenario: scenario)
    c.engine.rules = quickRules()
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
