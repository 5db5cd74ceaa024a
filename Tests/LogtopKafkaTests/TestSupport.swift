import LogtopTestSupport
import Foundation
import Testing
@testable import LogtopKafka

/// Runs `body` on the test's own thread. The Kafka tests block (polls, flushes, waits), as every
/// synchronous test does; they used to await a thread of their own, but an async test then needs a free
/// thread of Swift's cooperative pool to resume, and on a 2-core machine the pool has two, which the
/// other tests of the suite hold for up to a minute: such a test was starved past its time limit.
func synchronously<T>(_ body: () throws -> T) rethrows -> T {
    try body()
}

/// A name unique to this test run, so parallel tests never share topics or groups.
func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8))"
}

/// Produces every value, backing off on `.queueFull`; fails the test on rejection.
func produceAll(_ producer: LogProducer, topic: String, values: [[UInt8]], headers: [KafkaHeader] = []) {
    for value in values {
        while true {
            switch producer.produce(topic: topic, value: value, headers: headers) {
            case .enqueued: break
            case .queueFull: Thread.sleep(forTimeInterval: 0.001); continue
            case .rejected(let error): Issue.record("rejected: \(error)")
            }
            break
        }
    }
}

/// Polls `consumer` until `count` records arrived or `seconds` pass, storing
/// offsets as it goes (at-least-once).
/// `count` records, then whatever else arrives within 0.3 s: a duplicate or an extra record shows up
/// in the result instead of staying unread.
func consumeAll(_ consumer: LogConsumer, count: Int, seconds: Double) throws -> [ConsumedRecord] {
    try consume(consumer, count: count, seconds: seconds) + consume(consumer, count: 1, seconds: 0.3)
}

func consume(_ consumer: LogConsumer, count: Int, seconds: Double) throws -> [ConsumedRecord] {
    var records: [ConsumedRecord] = []
    let deadline = Date().addingTimeInterval(seconds)
    while records.count < count, Date() < deadline {
        let batch = try consumer.poll(maxMessages: 1000, timeoutMs: 100)
        try consumer.storeOffsets(for: batch)
        records += batch
    }
    return records
}
