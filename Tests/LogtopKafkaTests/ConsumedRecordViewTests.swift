import Foundation
import Testing
@testable import LogtopKafka

@Suite struct ConsumedRecordViewTests {
    /// The in-place poll lends every record once, with its key, value and headers, counts it, and stores
    /// the batch's offsets: a later member of the group gets nothing again.
    @Test func inPlacePollSeesEveryRecordOnceAndStoresOffsets() throws {
        let cluster = try EmbeddedKafkaCluster()
        defer { cluster.close() }
        let topic = uniqueName("inplace")
        try cluster.createTopic(topic, partitions: 3)
        let settings = cluster.settings()
        let n = 3_000
        let producer = try LogProducer(settings: settings)
        synchronously {
            for index in 0..<n {
                let headers = [KafkaHeader(name: "run", string: "r1"), KafkaHeader(name: "i", string: "\(index)")]
                let key: [UInt8]? = index % 3 == 0 ? nil : Array("k\(index % 7)".utf8)
                while producer.produce(topic: topic, key: key, value: Array("line \(index)".utf8), headers: headers) == .queueFull {
                    Thread.sleep(forTimeInterval: 0.001)
                }
            }
            // An empty value and no headers.
            #expect(producer.produce(topic: topic, key: Array("empty".utf8), value: []) == .enqueued)
            #expect(producer.flush(timeoutMs: 20_000))
        }
        producer.close()

        let group = uniqueName("group")
        let consumer = try LogConsumer(settings: settings, group: group)
        try consumer.subscribe([topic])
        struct Seen: Sendable { var values: [String] = []; var problems: [String] = []; var empty = 0 }
        let seen = try synchronously { () -> Seen in
            var seen = Seen()
            let deadline = Date().addingTimeInterval(40)
            while seen.values.count + seen.empty < n + 1, Date() < deadline {
                try consumer.poll(maxMessages: 500, timeoutMs: 100, storeOffsets: true) { r in
                    #expect(r.topic == topic)
                    if r.value.isEmpty {
                        seen.empty += 1
                        if r.key.map({ Array($0) }) != Array("empty".utf8) { seen.problems.append("key of the empty record") }
                        if r.header("run") != nil || !r.headers.isEmpty { seen.problems.append("headers of the empty record") }
                        return
                    }
                    let value = String(decoding: r.value, as: UTF8.self)
                    let index = Int(value.dropFirst(5))!
                    seen.values.append(value)
                    if r.header("run").map({ Array($0) }) != Array("r1".utf8) { seen.problems.append("run header of \(index)") }
                    if r.header("i").map({ String(decoding: $0, as: UTF8.self) }) != "\(index)" { seen.problems.append("i header of \(index)") }
                    if r.header("missing") != nil { seen.problems.append("a header that is not there") }
                    let expectedKey: [UInt8]? = index % 3 == 0 ? nil : Array("k\(index % 7)".utf8)
                    if r.key.map({ Array($0) }) != expectedKey { seen.problems.append("key of \(index)") }
                    let copy = r.record()
                    if copy.value != Array(value.utf8) || copy.headers.count != 2 || copy.offset != r.offset || copy.timestampMs == nil {
                        seen.problems.append("copy of \(index)")
                    }
                }
            }
            // Anything extra (a duplicate) would show up now.
            try consumer.poll(maxMessages: 500, timeoutMs: 300) { _ in seen.problems.append("extra record") }
            try consumer.commitSync()
            return seen
        }
        #expect(seen.problems.isEmpty, "\(seen.problems.prefix(5))")
        #expect(seen.empty == 1)
        #expect(Set(seen.values) == Set((0..<n).map { "line \($0)" }))
        #expect(seen.values.count == n)
        let stats = consumer.stats()
        #expect(stats.consumed == n + 1)
        #expect(stats.lostRecords == 0)
        #expect(stats.rewinds == 0)
        #expect(stats.totalLag == 0)
        consumer.close()
        #expect(throws: KafkaError.self) { try consumer.poll(maxMessages: 1, timeoutMs: 0) { _ in } }

        // The stored offsets were committed: the group starts after them.
        let again = try LogConsumer(settings: settings, group: group)
        try again.subscribe([topic])
        let redelivered = try synchronously { () -> Int in
            var count = 0
            let deadline = Date().addingTimeInterval(10)
            while again.stats().assignment.isEmpty, Date() < deadline { try again.poll(maxMessages: 100, timeoutMs: 100) { _ in count += 1 } }
            try again.poll(maxMessages: 100, timeoutMs: 500) { _ in count += 1 }
            return count
        }
        again.close()
        #expect(redelivered == 0)
    }
}
