import LogtopTestSupport
import Foundation
import Testing
@testable import LogtopKafka

@Suite struct LogProducerConsumerTests {
    /// 10,000 records through a 4-partition topic: every one delivered once and
    /// consumed exactly once by a group member.
    @Test func roundTripTenThousandRecords() throws {
        let cluster = try EmbeddedKafkaCluster()
        defer { cluster.close() }
        let topic = uniqueName("roundtrip")
        try cluster.createTopic(topic, partitions: 4)
        let settings = cluster.settings()
        let n = 10_000

        let producer = try LogProducer(settings: settings)
        let values = (0..<n).map { Array("record-\($0)".utf8) }
        let headers = [KafkaHeader(name: "source", string: "test"), KafkaHeader(name: "bin", value: [0, 1, 255])]
        synchronously {
            for (index, value) in values.enumerated() {
                // Keyed, so the records spread over the partitions (null keys
                // stick to one partition per linger period).
                let key = Array("host-\(index % 64)".utf8)
                while true {
                    let outcome = producer.produce(topic: topic, key: key, value: value, headers: headers)
                    if outcome == .queueFull { Thread.sleep(forTimeInterval: 0.001); continue }
                    #expect(outcome == .enqueued)
                    break
                }
            }
            #expect(producer.produce(topic: topic, key: Array("host-a".utf8), value: []) == .enqueued)
            #expect(producer.flush(timeoutMs: 20_000))
        }
        let produced = producer.stats()
        #expect(produced.produced == n + 1)
        #expect(produced.delivered == n + 1)
        #expect(produced.failed == 0)
        #expect(produced.inFlight == 0)
        producer.close()

        let consumer = try LogConsumer(settings: settings, group: uniqueName("group"))
        try consumer.subscribe([topic])
        let records = try synchronously { () -> [ConsumedRecord] in
            let records = try consumeAll(consumer, count: n + 1, seconds: 40)
            try consumer.commitSync()
            return records
        }
        #expect(records.count == n + 1)
        let payloads = Set(records.map(\.value))
        #expect(payloads.count == n + 1, "no duplicates")
        #expect(payloads == Set(values + [[]]), "every record arrived")
        #expect(Set(records.map(\.partition)) == [0, 1, 2, 3])
        let keyed = records.first { $0.key == Array("host-a".utf8) }
        #expect(keyed?.value == [])
        let plain = records.first { $0.value == values[0] }
        #expect(plain?.headers == headers)
        #expect(plain?.topic == topic)
        #expect(plain?.timestampMs != nil)

        let stats = consumer.stats()
        #expect(stats.consumed == n + 1)
        #expect(stats.lostRecords == 0)
        #expect(stats.assignment.count == 4)
        #expect(stats.totalLag == 0)
        #expect(stats.lagByPartition.count == 4)
        consumer.close()
        #expect(throws: KafkaError.self) { _ = try consumer.poll() }
    }

    /// Injected Produce errors are retried by the idempotent producer: every
    /// record is delivered once, in order within its partition.
    @Test func injectedProduceErrorsStillDeliverExactlyOnceInOrder() throws {
        let cluster = try EmbeddedKafkaCluster()
        defer { cluster.close() }
        let topic = uniqueName("idempotent")
        try cluster.createTopic(topic, partitions: 4)
        let settings = cluster.settings()
        #expect(settings.producerProperties()["enable.idempotence"] == "true")
        let n = 4_000

        let producer = try LogProducer(settings: settings)
        // Let the producer get its producer id and metadata first.
        synchronously {
            #expect(producer.produce(topic: topic, partition: 0, value: Array("warmup".utf8)) == .enqueued)
            #expect(producer.flush(timeoutMs: 10_000))
        }
        try cluster.pushRequestErrors(.produce, [
            .notLeaderForPartition, .notLeaderForPartition, .leaderNotAvailable,
            .notEnoughReplicas, .requestTimedOut, .notLeaderForPartition,
        ])
        // Errors the mock returns without appending. (A lost response, e.g.
        // .transport, would duplicate records on librdkafka 2.0.2's mock, which
        // checks producer sequence numbers only for transactional producers.)
        try cluster.pushBrokerRequestErrors(broker: 1, .produce, [
            (.notLeaderForPartition, 0), (.notEnoughReplicas, 0), (.requestTimedOut, 0),
        ])
        synchronously {
            for index in 0..<n {
                let value = Array("\(index % 4):\(index)".utf8)
                while producer.produce(topic: topic, partition: Int32(index % 4), value: value) == .queueFull {
                    Thread.sleep(forTimeInterval: 0.001)
                }
            }
            #expect(producer.flush(timeoutMs: 30_000))
        }
        #expect(try cluster.pendingBrokerRequestErrors(broker: 1, .produce) == 0, "the errors were served")
        let stats = producer.stats()
        #expect(stats.produced == n + 1)
        #expect(stats.delivered == n + 1)
        #expect(stats.failed == 0)
        producer.close()

        let consumer = try LogConsumer(settings: settings, group: uniqueName("group"))
        try consumer.subscribe([topic])
        let records = try synchronously { () -> [ConsumedRecord] in
            try consumeAll(consumer, count: n + 1, seconds: 40)
        }
        let consumerStats = consumer.stats()
        consumer.close()
        #expect(records.count == n + 1)
        #expect(Set(records.map(\.value)).count == n + 1, "no duplicates")
        #expect(consumerStats.rewinds == 0)
        for partition in Int32(0)..<4 {
            let sequence = records.filter { $0.partition == partition && $0.value != Array("warmup".utf8) }
                .map { Int(String(decoding: $0.value, as: UTF8.self).split(separator: ":")[1])! }
            let inOrder = zip(sequence, sequence.dropFirst()).allSatisfy { $0 < $1 }
            #expect(inOrder, "partition \(partition) in production order")
            #expect(sequence.count == n / 4)
        }
    }

    /// With the broker down, records are never dropped silently: the queue
    /// pushes back with `.queueFull`, undeliverable records are counted as
    /// failed with their reason, and the outage is reported as an error.
    @Test func brokerDownIsAccountedAndReported() throws {
        let cluster = try EmbeddedKafkaCluster()
        defer { cluster.close() }
        let topic = uniqueName("down")
        try cluster.createTopic(topic, partitions: 1)
        try cluster.setBrokerDown(1)
        let producer = try LogProducer(
            settings: cluster.settings(),
            overrides: ["message.timeout.ms": "1500", "queue.buffering.max.messages": "10"])
        var outcomes: [ProduceOutcome] = []
        for index in 0..<15 { outcomes.append(producer.produce(topic: topic, value: Array("\(index)".utf8))) }
        #expect(outcomes.filter { $0 == .enqueued }.count == 10)
        #expect(outcomes.filter { $0 == .queueFull }.count == 5)

        let settled = synchronously { waitUntil(10) { producer.stats().failed == 10 } }
        #expect(settled)
        let stats = producer.stats()
        #expect(stats.produced == 10)
        #expect(stats.queueFull == 5)
        #expect(stats.delivered == 0)
        #expect(stats.inFlight == 0)
        #expect(stats.failuresByReason == ["_MSG_TIMED_OUT": 10])
        let codes = Set(producer.recentErrors.map(\.code))
        #expect(codes.contains(.allBrokersDown) || codes.contains(.transport), "errors: \(producer.recentErrors)")
        #expect(producer.fatalErrorEvent == nil)
        producer.close(flushTimeoutMs: 0)
        #expect(producer.produce(topic: topic, value: [1]) == .rejected(.closedClient))
    }

    /// A broker outage shorter than `message.timeout.ms` loses nothing.
    @Test func brokerOutageWithinTheTimeoutRecovers() throws {
        let cluster = try EmbeddedKafkaCluster()
        defer { cluster.close() }
        let topic = uniqueName("outage")
        try cluster.createTopic(topic, partitions: 2)
        let producer = try LogProducer(settings: cluster.settings())
        defer { producer.close() }
        synchronously {
            #expect(producer.produce(topic: topic, value: Array("before".utf8)) == .enqueued)
            #expect(producer.flush(timeoutMs: 10_000))
        }
        try cluster.setBrokerDown(1)
        produceAll(producer, topic: topic, values: (0..<100).map { Array("during-\($0)".utf8) })
        let noticed = synchronously {
            waitUntil(10) {
                producer.recentErrors.contains { $0.code == .allBrokersDown || $0.code == .transport }
            }
        }
        #expect(noticed, "the outage is reported")
        #expect(producer.stats().delivered == 1)
        try cluster.setBrokerUp(1)
        let flushed = synchronously { producer.flush(timeoutMs: 20_000) }
        #expect(flushed)
        let stats = producer.stats()
        #expect(stats.delivered == 101)
        #expect(stats.failed == 0)
    }

    @Test func closeFailsWhatCannotBeDelivered() throws {
        let cluster = try EmbeddedKafkaCluster()
        defer { cluster.close() }
        try cluster.setBrokerDown(1)
        let producer = try LogProducer(settings: cluster.settings())
        for _ in 0..<5 { #expect(producer.produce(topic: "t", value: [1, 2, 3]) == .enqueued) }
        #expect(producer.stats().inFlight == 5)
        synchronously { producer.close(flushTimeoutMs: 200) }
        let stats = producer.stats()
        #expect(stats.inFlight == 0)
        #expect(stats.failed == 5)
    }
}
