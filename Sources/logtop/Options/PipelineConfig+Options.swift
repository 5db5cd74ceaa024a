import ArgumentParser
import Foundation
import LogtopCore
import LogtopKafka
import LogtopPipeline

/// The pipeline configuration of the options given: Kafka settings resolved (flags > environment >
/// .env > defaults), notices printed, `--show-config` answered.
func pipelineConfig(_ kafkaOptions: KafkaOptions, _ topics: TopicOptions, _ generator: GeneratorOptions? = nil) throws -> PipelineConfig {
        let resolution = kafkaOptions.kafkaResolution()

        for notice in resolution.notices { FileHandle.standardError.write(Data("logtop: \(notice)\n".utf8)) }
        if kafkaOptions.showConfig {
            FileHandle.standardOutput.write(Data(resolution.describe().utf8))
            Foundation.exit(0)
        }
        if let kafka = resolution.settings {
            FileHandle.standardError.write(Data("logtop: Kafka \(kafka.connectionSummary)\n".utf8))
        }
        var c = PipelineConfig()
        c.kafka = resolution.settings
        c.topic = topics.topic
        c.alertsTopic = topics.alertsTopic
        c.group = topics.group
        c.metricsTopic = topics.metricsTopic
        c.partitions = max(1, topics.partitions)
        c.createTopics = !topics.noCreateTopics
        if let generator {
            guard generator.rate > 0 else { throw ValidationError("--rate must be positive") }
            c.generator.rate = generator.rate
            c.generator.seed = generator.seed
            if let scenario = generator.scenario {
                guard let s = TrafficScenario(rawValue: scenario) else {
                    throw ValidationError("--scenario \(scenario): expected one of \(TrafficScenario.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                c.generator.scenario = s
            }
        }
        return c
    }
