import Foundation
import LogtopKafka
import LogtopTestSupport
import Testing
@testable import LogtopPipeline

/// A source whose lines Kafka cannot take (the broker is down and the producer queue is full) waits,
/// says so, and loses nothing once the broker is back.
@Suite struct KafkaWaitTests {
    @Test func aFullProducerQueueMakesTheSourceWaitForKafka() throws {
        var config = PipelineConfig()
        config.sources = [.generator]
        config.generator = GeneratorConfig(rate: 4_000, seed: 5)
        config.analyze = false  // as `logtop generate`: only Kafka can hold the source back
        let cluster = try ownCluster(for: &config)
        defer { cluster.close() }
        config.kafka?.extra["queue.buffering.max.messages"] = "300"
        let pipeline = try Pipeline(config: config)
        #expect(waitUntil(20) { pipeline.status().producer.delivered > 1_000 })
        try cluster.setBrokerDown(1)
        #expect(waitUntil(30) { pipeline.status().sources.first?.waiting == .kafka }, "\(pipeline.status().sources)")
        let waiting = pipeline.status()
        #expect(waiting.waitingSources == ["generator"])
        #expect(waiting.producer.inFlight > 0, "undelivered lines fill the queue: \(waiting.producer)")
        try cluster.setBrokerUp(1)
        #expect(waitUntil(60) { pipeline.status().sources.first?.waiting == nil && pipeline.status().producer.delivered > waiting.producer.produced })
        pipeline.finish(drainTimeout: 30)
        let end = pipeline.status()
        #expect(end.producer.failed == 0 && end.producer.rejected == 0, "\(end.producer)")
        #expect(end.producer.delivered == end.producer.produced)
        #expect(end.producer.produced == end.generator.generated)
    }
}
