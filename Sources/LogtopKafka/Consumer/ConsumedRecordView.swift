import CRdKafka

/// A record lent by `LogConsumer.poll(maxMessages:timeoutMs:storeOffsets:_:)`, read in place in
/// librdkafka's memory: nothing is copied or allocated unless asked for (`topic`, `record()`).
///
/// Valid only during the call that lends it: never keep it, or a buffer it returned, after that call.
public struct ConsumedRecordView {
    private let message: UnsafeMutablePointer<rd_kafka_message_t>

    init(_ message: UnsafeMutablePointer<rd_kafka_message_t>) { self.message = message }

    public var partition: Int32 { message.pointee.partition }
    public var offset: Int64 { message.pointee.offset }

    /// The topic name (makes a `String`).
    public var topic: String { message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "" }

    /// The value (a null value is read as empty).
    public var value: UnsafeBufferPointer<UInt8> {
        guard let payload = message.pointee.payload else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: payload.assumingMemoryBound(to: UInt8.self), count: message.pointee.len)
    }

    /// The key, or nil for a null key.
    public var key: UnsafeRawBufferPointer? {
        message.pointee.key.map { UnsafeRawBufferPointer(start: $0, count: message.pointee.key_len) }
    }

    /// The value of the last header named `name` (empty for a null value), or nil when there is none.
    public func header(_ name: String) -> UnsafeRawBufferPointer? {
        var headers: OpaquePointer?
        guard rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR, let headers else { return nil }
        var bytes: UnsafeRawPointer?
        var size = 0
        // `withCString` lends a short name from the stack (a String passed as `char *` would be copied to the heap).
        let found = name.withCString { rd_kafka_header_get_last(headers, $0, &bytes, &size) }
        guard found == RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return UnsafeRawBufferPointer(start: bytes, count: bytes == nil ? 0 : size)
    }

    /// Every header, in order (copied).
    public var headers: [KafkaHeader] {
        var result: [KafkaHeader] = []
        var headers: OpaquePointer?
        guard rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR, let headers else { return result }
        var index = 0
        var name: UnsafePointer<CChar>?
        var bytes: UnsafeRawPointer?
        var size = 0
        while rd_kafka_header_get_all(headers, index, &name, &bytes, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            result.append(KafkaHeader(
                name: name.map { String(cString: $0) } ?? "",
                value: bytes.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []))
            index += 1
        }
        return result
    }

    /// Record timestamp in milliseconds since the epoch, nil when the broker did not provide one.
    public var timestampMs: Int64? {
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &type)
        return timestamp >= 0 ? timestamp : nil
    }

    /// A copy that outlives the call.
    public func record() -> ConsumedRecord {
        ConsumedRecord(
            topic: topic, partition: partition, offset: offset, key: key.map { Array($0) }, value: Array(value),
            headers: headers, timestampMs: timestampMs)
    }
}
