import Foundation
import Testing
@testable import LogtopKafka

@Suite struct OffsetGapIntegrationTests {
    /// A member commits offset 10, then the mock's retention (5 MiB per
    /// partition) trims past it: the next member of the group is reset to the
    /// log start and must count the skipped records as lost.
    @Test func recordsTrimmedBeforeBeingReadAreCountedAsLost() throws {
        let cluster = try EmbeddedKafkaCluster()
        defer { cluster.close() }
        let topic = uniqueName("trimmed")
        let group = uniqueName("group")
        try cluster.createTopic(topic, partitions: 1)
        let settings = cluster.settings()
        let producer = try LogProducer(settings: settings)
        defer { producer.close() }

        synchronously {
            produceAll(producer, topic: topic, values: (0..<10).map { Array("small-\($0)".utf8) })
            #expect(producer.flush(timeoutMs: 10_000))
        }
        let first = try LogConsumer(settings: settings, group: group)
        try first.subscribe([topic])
        let firstRecords = try synchronously { () -> [ConsumedRecord] in
            let records = try consume(first, count: 10, seconds: 30)
            try first.commitSync()
            first.close()
            return records
        }
        #expect(firstRecords.map(\.offset) == Array(0..<10))

        // 7 MiB of incompressible records: more than the mock keeps.
        var generator = SystemRandomNumberGenerator()
        let big = (0..<900).map { _ in (0..<8192).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        synchronously {
            produceAll(producer, topic: topic, values: big)
            #expect(producer.flush(timeoutMs: 20_000))
        }
        #expect(producer.stats().delivered == 910)

        let second = try LogConsumer(settings: settings, group: group)
        defer { second.close() }
        try second.subscribe([topic])
        let secondRecords = try synchronously { () -> [ConsumedRecord] in
            var records = try consume(second, count: 1, seconds: 30)
            let remaining = 910 - Int(records.first?.offset ?? 910)
            records += try consume(second, count: remaining - records.count, seconds: 20)
            return records
        }
        let firstOffset = try #require(secondRecords.first?.offset)
        #expect(firstOffset > 10, "retention trimmed the committed position")
        #expect(secondRecords.count == 910 - Int(firstOffset))
        let stats = second.stats()
        #expect(stats.lostRecords == firstOffset - 10)
        #expect(stats.lostByPartition == [TopicPartition(topic: topic, partition: 0): firstOffset - 10])
        #expect(stats.offsetResets >= 1)
        #expect(Int64(stats.consumed) + stats.lostRecords == 900)
    }
}
