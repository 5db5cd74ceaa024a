import LogtopTestSupport
import Foundation
import Testing
@testable import LogtopKafka

/// Runs blocking work (librdkafka polls, flushes) on a dedicated thread, never
/// on Swift's cooperative pool.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try body() })
        }
        thread.start()
    }
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
