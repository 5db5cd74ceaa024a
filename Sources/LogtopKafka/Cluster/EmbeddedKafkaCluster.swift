import CRdKafka
import Foundation

/// librdkafka's in-process mock Kafka cluster, for running without a real
/// broker and for tests.
///
/// The brokers listen on 127.0.0.1 (ephemeral ports), so other processes
/// (e.g. `kcat -b <bootstrapServers> -L`) can use it too. Broker ids are
/// 1...brokerCount. Limitations of librdkafka 2.0.2's mock: no TLS or SASL
/// (security settings are ignored), no CreateTopics admin request (use
/// `createTopic`), retention of 5 MiB or 100,000 message sets per partition.
///
/// Thread-safe: every mock operation is a request to the cluster's own thread.
public final class EmbeddedKafkaCluster: @unchecked Sendable {
    // @unchecked: `cluster` is an immutable pointer, the mock API is thread-safe, and it is used
    // only while `client` is open; `close` destroys it before the handle it lives in.
    /// A bare handle the mock needs for its internal bookkeeping; it never connects.
    private let client: RdKafkaClient
    private let cluster: OpaquePointer

    /// Number of brokers (ids 1...brokerCount).
    public let brokerCount: Int
    /// Comma-separated "127.0.0.1:PORT" list of the brokers' listeners.
    public let bootstrapServers: String

    /// Starts a mock cluster with `brokers` brokers.
    public init(brokers: Int = 1) throws(KafkaError) {
        precondition(brokers >= 1, "a cluster needs at least one broker")
        let client = try RdKafkaClient(.producer, properties: [:])
        guard let cluster = client.withHandle({ rd_kafka_mock_cluster_new($0, Int32(brokers)) }) ?? nil else {
            client.close()
            throw KafkaError(kind: .embeddedCluster, message: "cannot start the embedded Kafka cluster")
        }
        self.client = client
        self.cluster = cluster
        self.brokerCount = brokers
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit { close() }

    /// Settings for clients of this cluster (tuned for the mock's timing).
    public func settings(clientId: String = "logtop") -> KafkaSettings {
        KafkaSettings(bootstrapServers: bootstrapServers, clientId: clientId, tunedForEmbeddedCluster: true)
    }

    /// Creates `name` with `partitions` partitions.
    /// - Returns: false when the topic already existed (it is left unchanged).
    @discardableResult
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws(KafkaError) -> Bool {
        let rf = Int32(min(max(replicationFactor, 1), brokerCount))
        let code = try perform { KafkaErrorCode(rd_kafka_mock_topic_create(cluster, name, Int32(partitions), rf)) }
        switch code {
        case .noError: return true
        case .topicAlreadyExists: return false
        default:
            throw KafkaError(kind: .topicCreation, message: "cannot create topic \"\(name)\": \(code.explanation)", code: code)
        }
    }

    /// Makes the next `errors.count` requests of type `api` (any broker) fail
    /// with these errors, in order. `.transport` makes the broker disconnect.
    public func pushRequestErrors(_ api: KafkaApiKey, _ errors: [KafkaErrorCode]) throws(KafkaError) {
        let raw = errors.map(\.rdKafka)
        try perform {
            raw.withUnsafeBufferPointer { rd_kafka_mock_push_request_errors_array(cluster, api.rawValue, raw.count, $0.baseAddress) }
        }
    }

    /// Makes the next requests of type `api` sent to broker `id` answer with
    /// these errors (`.noError` for a plain delay), each after `rttMs`. Broker
    /// errors take precedence over cluster-wide ones.
    public func pushBrokerRequestErrors(
        broker id: Int32, _ api: KafkaApiKey, _ errors: [(code: KafkaErrorCode, rttMs: Int)]
    ) throws(KafkaError) {
        for error in errors {
            try check(perform {
                logtop_mock_broker_push_request_error_rtt(cluster, id, api.rawValue, error.code.rdKafka, Int32(error.rttMs))
            }, "push request errors on broker \(id)")
        }
    }

    /// How many injected errors for `api` broker `id` has not answered with yet.
    public func pendingBrokerRequestErrors(broker id: Int32, _ api: KafkaApiKey) throws(KafkaError) -> Int {
        var count = 0
        try check(perform { rd_kafka_mock_broker_error_stack_cnt(cluster, id, api.rawValue, &count) },
                  "count request errors on broker \(id)")
        return count
    }

    /// Drops pending injected errors for `api`.
    public func clearRequestErrors(_ api: KafkaApiKey) throws(KafkaError) {
        try perform { rd_kafka_mock_clear_request_errors(cluster, api.rawValue) }
    }

    /// Disconnects broker `id` and refuses new connections (leadership does not move).
    public func setBrokerDown(_ id: Int32) throws(KafkaError) {
        try check(perform { rd_kafka_mock_broker_set_down(cluster, id) }, "set broker \(id) down")
    }

    /// Lets broker `id` accept connections again.
    public func setBrokerUp(_ id: Int32) throws(KafkaError) {
        try check(perform { rd_kafka_mock_broker_set_up(cluster, id) }, "set broker \(id) up")
    }

    /// Delays every response of broker `id` by `milliseconds`.
    public func setRoundTripTime(_ milliseconds: Int, broker id: Int32) throws(KafkaError) {
        try check(perform { rd_kafka_mock_broker_set_rtt(cluster, id, Int32(milliseconds)) }, "set rtt of broker \(id)")
    }

    /// Moves the leadership of a partition to broker `id`.
    public func setPartitionLeader(topic: String, partition: Int32, broker id: Int32) throws(KafkaError) {
        try check(perform { rd_kafka_mock_partition_set_leader(cluster, topic, partition, id) },
                  "set leader of \(topic)[\(partition)]")
    }

    /// Stops the brokers and frees the cluster. Clients still connected see
    /// their brokers go down. Idempotent.
    public func close() {
        client.close { _ in
            usleep(Self.opPause)
            rd_kafka_mock_cluster_destroy(cluster)
        }
    }

    /// Closes the cluster on a thread of its own and waits at most `seconds` for it: librdkafka 2.0.2's
    /// mock sometimes takes a second to notice its stop request (see `opPause`), which a run that is
    /// ending need not wait for. The cluster is closed either way, a moment later at worst.
    public func close(waitingAtMost seconds: Double) {
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread { [self] in
            close()
            done.signal()
        }
        _ = done.wait(timeout: .now() + seconds)
    }

    /// A pause after each request to the mock's thread. Its loop (librdkafka 2.0.2, and master too)
    /// serves requests, then empties its wake-up pipe: a request made in between loses its wake-up
    /// and waits for the loop's 1 s timer. Requests made back to back (creating three topics) hit
    /// that window most of the time; 2 ms lets the loop get back to its wait first.
    static let opPause: UInt32 = 2_000

    private func perform<T>(_ body: () -> T) throws(KafkaError) -> T {
        defer { usleep(Self.opPause) }
        guard let result = client.withHandle({ _ in body() }) else {
            throw KafkaError(kind: .embeddedCluster, message: "the embedded Kafka cluster is closed")
        }
        return result
    }

    private func check(_ result: rd_kafka_resp_err_t, _ what: String) throws(KafkaError) {
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let code = KafkaErrorCode(result)
            throw KafkaError(kind: .embeddedCluster, message: "cannot \(what): \(code.explanation)", code: code)
        }
    }
}
