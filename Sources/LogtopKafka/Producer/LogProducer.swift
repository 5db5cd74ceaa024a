import CRdKafka

/// An idempotent Kafka producer (`enable.idempotence=true`, `acks=all`, lz4,
/// 5 ms linger) with delivery accounting.
///
/// Thread-safe: `produce`, `stats`, `flush` may be called from any thread.
/// A dedicated thread serves delivery reports and error callbacks; `flush` and
/// `close` block, so call them off Swift's cooperative pool.
public final class LogProducer: Sendable {
    private let client: RdKafkaClient
    private let accounting: DeliveryAccounting

    /// Creates a producer; `settings.producerProperties()` plus `overrides`
    /// (applied last) configure it.
    public init(settings: KafkaSettings, overrides: [String: String] = [:]) throws(KafkaError) {
        let accounting = DeliveryAccounting()
        let props = settings.producerProperties().merging(overrides) { _, new in new }
        client = try RdKafkaClient(
            .producer, properties: props, context: ClientContext(delivery: accounting), pollThread: "logtop-kafka-producer")
        self.accounting = accounting
    }

    deinit { close(flushTimeoutMs: 0) }

    /// Enqueues one record (the bytes are copied) that holds `lines` log lines: the accounting
    /// (`stats()`: produced, delivered, failed, rejected) counts lines, so a record of several lines
    /// counts as many.
    ///
    /// - Returns: `.enqueued`, `.queueFull` (nothing enqueued: back off and retry
    ///   the same record; records are never dropped silently) or `.rejected`.
    public func produce(
        topic: String, partition: Int32? = nil, key: UnsafeRawBufferPointer?,
        value: UnsafeRawBufferPointer, headers: [KafkaHeader] = [], lines: Int = 1
    ) -> ProduceOutcome {
        if value.baseAddress == nil {
            // librdkafka reads a NULL value as a null record: give it a real
            // (empty) buffer instead.
            var zero: UInt8 = 0
            return withUnsafeBytes(of: &zero) { byte in
                produce(topic: topic, partition: partition, key: key,
                        value: UnsafeRawBufferPointer(start: byte.baseAddress, count: 0), headers: headers, lines: lines)
            }
        }
        let outcome = client.withHandle { handle -> ProduceOutcome in
            // Names go through `withCString`, which lends a short string from the stack: passing a
            // String as a `char *` argument would allocate a C copy of it for every record.
            var rdHeaders: OpaquePointer?
            if !headers.isEmpty {
                rdHeaders = rd_kafka_headers_new(headers.count)
                for header in headers {
                    header.name.withCString { name in
                        header.value.withUnsafeBytes { bytes in
                            _ = rd_kafka_header_add(rdHeaders, name, -1, bytes.baseAddress, bytes.count)
                        }
                    }
                }
            }
            let error = topic.withCString { topicName in
                logtop_produce(
                    handle, topicName, partition ?? RD_KAFKA_PARTITION_UA,
                    key?.baseAddress, key?.count ?? 0,
                    value.baseAddress, value.count,
                    // The delivery report reads the line count back from the record's opaque.
                    rdHeaders, UnsafeMutableRawPointer(bitPattern: max(lines, 1)))
            }
            guard let error else {
                accounting.recordEnqueued(lines: lines)
                return .enqueued
            }
            // On failure the headers are still ours.
            if let rdHeaders { rd_kafka_headers_destroy(rdHeaders) }
            let code = KafkaErrorCode(rd_kafka_error_code(error))
            let text = String(cString: rd_kafka_error_string(error))
            let fatal = rd_kafka_error_is_fatal(error) != 0
            rd_kafka_error_destroy(error)
            if code == .queueFull {
                accounting.recordQueueFull()
                return .queueFull
            }
            accounting.recordRejected(code, lines: lines)
            return .rejected(KafkaError(
                kind: fatal ? .fatal : .produce,
                message: "cannot produce to topic \"\(topic)\": \(text)", code: code))
        }
        return outcome ?? .rejected(.closedClient)
    }

    /// Enqueues one record from byte arrays (see the buffer variant).
    public func produce(
        topic: String, partition: Int32? = nil, key: [UInt8]? = nil,
        value: [UInt8], headers: [KafkaHeader] = []
    ) -> ProduceOutcome {
        value.withUnsafeBytes { valueBytes in
            guard let key else {
                return produce(topic: topic, partition: partition, key: nil, value: valueBytes, headers: headers)
            }
            return key.withUnsafeBytes { keyBytes in
                produce(topic: topic, partition: partition, key: keyBytes, value: valueBytes, headers: headers)
            }
        }
    }

    /// Delivery accounting so far.
    /// Learns where `topic`'s partitions are now (a metadata request, waited for up to `timeoutMs`), so
    /// that the first record is sent at once instead of after the producer's next metadata round
    /// (about a second). Returns the topic's partition count, or nil when the cluster did not answer
    /// in time or does not have the topic.
    @discardableResult
    public func prepare(topic: String, timeoutMs: Int = 2_000) -> Int? {
        client.withHandle { handle -> Int? in
            let count = (try? KafkaTopicReader.partitionCount(handle, topic: topic, timeoutMs: Int32(clamping: timeoutMs))) ?? 0
            return count > 0 ? Int(count) : nil
        } ?? nil
    }

    public func stats() -> ProducerStats { accounting.snapshot }

    /// Waits until every enqueued record has a delivery report or the timeout
    /// expires. Blocking. Returns true when nothing is left in flight.
    @discardableResult
    public func flush(timeoutMs: Int) -> Bool {
        let result = client.withHandle { rd_kafka_flush($0, Int32(clamping: timeoutMs)) }
        return result.map { $0 == RD_KAFKA_RESP_ERR_NO_ERROR } ?? (stats().inFlight == 0)
    }

    /// Flushes (up to `flushTimeoutMs`), fails whatever is still queued (counted
    /// in `failed` as "_PURGE_QUEUE"/"_PURGE_INFLIGHT"), stops the poll thread
    /// and destroys the handle. Blocking; idempotent. `produce` calls made meanwhile
    /// are rejected as closed at once (no lock is held across the flush).
    public func close(flushTimeoutMs: Int = 10_000) {
        client.close { handle in
            if flushTimeoutMs > 0 { _ = rd_kafka_flush(handle, Int32(clamping: flushTimeoutMs)) }
            if rd_kafka_outq_len(handle) > 0 {
                _ = rd_kafka_purge(handle, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
                rd_kafka_poll(handle, 0) // serve the purge delivery reports
            }
        }
    }

    /// The most recent errors reported by librdkafka (oldest first, at most 32):
    /// e.g. "_ALL_BROKERS_DOWN", "_AUTHENTICATION", "_TRANSPORT".
    public var recentErrors: [KafkaErrorEvent] { client.events.errors }

    /// The latest reported error, if any.
    public var lastError: KafkaErrorEvent? { client.events.errors.last }

    /// The first fatal error (the producer can no longer deliver; recreate it or exit).
    public var fatalErrorEvent: KafkaErrorEvent? { client.events.fatal }

    /// Recent librdkafka warning/error log lines (never printed to stderr).
    public var recentLogs: [KafkaLogLine] { client.events.logs }
}
