import CRdKafka

/// Topic administration.
public enum KafkaAdmin {
    /// A topic to create.
    public struct TopicSpec: Sendable, Hashable {
        public var name: String
        public var partitions: Int
        /// -1 lets the broker use its `default.replication.factor` (Kafka 2.4+).
        public var replicationFactor: Int

        public init(name: String, partitions: Int, replicationFactor: Int = -1) {
            self.name = name
            self.partitions = partitions
            self.replicationFactor = replicationFactor
        }
    }

    /// What `ensureTopics` did for one topic.
    public enum TopicOutcome: Sendable, Equatable {
        case created
        /// The topic existed already and was left unchanged (its partition count may differ).
        case alreadyExists
    }

    /// Creates the topics that do not exist yet.
    ///
    /// librdkafka 2.0.2's mock cluster does not implement CreateTopics: pass
    /// `embeddedCluster` when talking to it, and the topics are created through
    /// the mock API instead. Blocking (at most about `timeoutMs`).
    public static func ensureTopics(
        _ topics: [TopicSpec], settings: KafkaSettings, embeddedCluster: EmbeddedKafkaCluster? = nil,
        timeoutMs: Int = 10_000
    ) throws(KafkaError) -> [String: TopicOutcome] {
        var outcomes: [String: TopicOutcome] = [:]
        if let embeddedCluster {
            for topic in topics {
                let created = try embeddedCluster.createTopic(
                    topic.name, partitions: topic.partitions, replicationFactor: max(topic.replicationFactor, 1))
                outcomes[topic.name] = created ? .created : .alreadyExists
            }
            return outcomes
        }
        guard !topics.isEmpty else { return [:] }

        var props = settings.commonProperties().merging(settings.extra) { _, new in new }
        props["client.id"] = settings.clientId + "-admin"
        return try RdKafkaClient.using(.producer, properties: props) { handle throws(KafkaError) in
            try createTopics(topics, handle: handle, settings: settings, timeoutMs: timeoutMs)
        }
    }

    /// CreateTopics through `handle`, waiting for the result event.
    private static func createTopics(
        _ topics: [TopicSpec], handle: OpaquePointer, settings: KafkaSettings, timeoutMs: Int
    ) throws(KafkaError) -> [String: TopicOutcome] {
        var outcomes: [String: TopicOutcome] = [:]
        var errstr = [CChar](repeating: 0, count: 512)
        var newTopics: [OpaquePointer?] = []
        defer { for topic in newTopics { rd_kafka_NewTopic_destroy(topic) } }
        for topic in topics {
            guard let newTopic = rd_kafka_NewTopic_new(
                topic.name, Int32(topic.partitions), Int32(topic.replicationFactor), &errstr, errstr.count)
            else {
                throw KafkaError(kind: .topicCreation, message: "invalid topic \"\(topic.name)\": \(errstr.cString)")
            }
            newTopics.append(newTopic)
        }
        let options = rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, Int32(clamping: timeoutMs), &errstr, errstr.count)
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, Int32(clamping: timeoutMs), &errstr, errstr.count)
        let queue = rd_kafka_queue_new(handle)
        defer { rd_kafka_queue_destroy(queue) }

        newTopics.withUnsafeMutableBufferPointer { buffer in
            rd_kafka_CreateTopics(handle, buffer.baseAddress, buffer.count, options, queue)
        }
        guard let event = rd_kafka_queue_poll(queue, Int32(clamping: timeoutMs + 2_000)) else {
            throw KafkaError(
                kind: .topicCreation, message: "no answer to CreateTopics from \(settings.bootstrapServers ?? "(none)")",
                code: .timedOut, hint: "check that the broker is reachable (KafkaProbe)")
        }
        defer { rd_kafka_event_destroy(event) }
        let eventError = KafkaErrorCode(rd_kafka_event_error(event))
        guard eventError == .noError else {
            let text = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? eventError.explanation
            throw KafkaError(
                kind: .topicCreation, message: "cannot create topics at \(settings.bootstrapServers ?? "(none)"): \(text)",
                code: eventError,
                hint: eventError == .unsupportedFeature || eventError == .timedOut
                    ? "no controller accepted CreateTopics; librdkafka's mock cluster has none: pass embeddedCluster for it"
                    : nil)
        }
        var count = 0
        guard let result = rd_kafka_event_CreateTopics_result(event),
              let results = rd_kafka_CreateTopics_result_topics(result, &count)
        else {
            throw KafkaError(kind: .topicCreation, message: "unexpected CreateTopics result event")
        }
        for index in 0..<count {
            guard let topicResult = results[index] else { continue }
            let name = String(cString: rd_kafka_topic_result_name(topicResult))
            let code = KafkaErrorCode(rd_kafka_topic_result_error(topicResult))
            switch code {
            case .noError: outcomes[name] = .created
            case .topicAlreadyExists: outcomes[name] = .alreadyExists
            default:
                let text = rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) } ?? code.explanation
                throw KafkaError(kind: .topicCreation, message: "cannot create topic \"\(name)\": \(text)", code: code)
            }
        }
        return outcomes
    }
}
