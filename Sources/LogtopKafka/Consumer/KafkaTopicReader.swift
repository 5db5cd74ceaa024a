import CRdKafka
import Foundation

/// Reads the newest records of a topic without joining a consumer group and without committing:
/// what an analyzer needs at start to learn what was already published (alert ids, the last metrics
/// record of a partition).
public enum KafkaTopicReader {
    /// The last `count` records of every partition of `topic` (of `partitions`, when given), oldest
    /// first within a partition. A topic that does not exist yet has no records. Waits at most about
    /// `timeoutMs`; partitions that could not be read by then are returned as far as they were read.
    /// Blocking: call it off the cooperative pool.
    public static func tail(
        settings: KafkaSettings, topic: String, partitions wanted: [Int32]? = nil, count: Int, timeoutMs: Int = 10_000
    ) throws(KafkaError) -> [ConsumedRecord] {
        guard count > 0 else { return [] }
        var props = settings.consumerProperties(group: "logtop-reader")
        props["enable.auto.commit"] = "false"
        props["enable.partition.eof"] = "true"
        props["client.id"] = settings.clientId + "-reader"
        return try RdKafkaClient.using(.consumer, properties: props) { handle throws(KafkaError) in
            try tail(handle, topic: topic, partitions: wanted, count: count, timeoutMs: timeoutMs)
        }
    }

    /// `tail` through a consumer `handle` that belongs to no group.
    private static func tail(
        _ handle: OpaquePointer, topic: String, partitions wanted: [Int32]?, count: Int, timeoutMs: Int
    ) throws(KafkaError) -> [ConsumedRecord] {
        let deadline = Date().addingTimeInterval(Double(timeoutMs) / 1000)
        func remainingMs() -> Int32 { Int32(max(1, min(Int(deadline.timeIntervalSinceNow * 1000), 5_000))) }

        let partitionCount = try Self.partitionCount(handle, topic: topic, timeoutMs: remainingMs())
        guard partitionCount > 0 else { return [] }
        let partitions = (wanted ?? (0..<Int32(partitionCount)).map { $0 }).filter { $0 >= 0 && $0 < partitionCount }

        // Where each partition's tail starts, and the offset that ends it.
        var ends: [Int32: Int64] = [:]
        let list = rd_kafka_topic_partition_list_new(Int32(partitions.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for p in partitions {
            var low: Int64 = -1
            var high: Int64 = -1
            let result = rd_kafka_query_watermark_offsets(handle, topic, p, &low, &high, remainingMs())
            guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(kind: .consume, message: "cannot read the offsets of \(topic)[\(p)]: \(KafkaErrorCode(result).explanation)",
                                 code: KafkaErrorCode(result))
            }
            guard high > low else { continue }
            ends[p] = high
            rd_kafka_topic_partition_list_add(list, topic, p).pointee.offset = max(low, high - Int64(count))
        }
        guard !ends.isEmpty else { return [] }
        let assigned = rd_kafka_assign(handle, list)
        guard assigned == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(kind: .consume, message: "cannot read \(topic): \(KafkaErrorCode(assigned).explanation)", code: KafkaErrorCode(assigned))
        }

        var records: [ConsumedRecord] = []
        var open = Set(ends.keys)
        while !open.isEmpty, deadline.timeIntervalSinceNow > 0 {
            guard let message = rd_kafka_consumer_poll(handle, 100) else { continue }
            defer { rd_kafka_message_destroy(message) }
            let m = message.pointee
            if m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                open.remove(m.partition)
                continue
            }
            guard m.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            records.append(ConsumedRecordView(message).record())
            if let end = ends[m.partition], m.offset + 1 >= end { open.remove(m.partition) }
        }
        return records
    }

    /// The number of partitions of `topic`, 0 when it does not exist. Blocking.
    public static func partitionCount(settings: KafkaSettings, topic: String, timeoutMs: Int = 10_000) throws(KafkaError) -> Int {
        var props = settings.producerProperties()
        props["client.id"] = settings.clientId + "-reader"
        return try RdKafkaClient.using(.producer, properties: props) { handle throws(KafkaError) in
            Int(try partitionCount(handle, topic: topic, timeoutMs: Int32(clamping: timeoutMs)))
        }
    }

    /// The number of partitions of `topic`, 0 when it does not exist.
    static func partitionCount(_ handle: OpaquePointer, topic: String, timeoutMs: Int32) throws(KafkaError) -> Int32 {
        guard let rkt = rd_kafka_topic_new(handle, topic, nil) else { return 0 }
        defer { rd_kafka_topic_destroy(rkt) }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let result = rd_kafka_metadata(handle, 0, rkt, &metadata, timeoutMs)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw KafkaError(kind: .consume, message: "cannot read the metadata of \(topic): \(KafkaErrorCode(result).explanation)",
                             code: KafkaErrorCode(result))
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        guard metadata.pointee.topic_cnt > 0 else { return 0 }
        let t = metadata.pointee.topics[0]
        guard t.err == RD_KAFKA_RESP_ERR_NO_ERROR else { return 0 }
        return t.partition_cnt
    }
}
