import CRdKafka

/// The one owner of a librdkafka client handle (`rd_kafka_t`): creates it from properties wired to a
/// `ClientContext` (callbacks, recorded errors and logs), lends it to callers while it is open, serves
/// its callbacks from a poll thread when asked, and destroys it exactly once.
///
/// `LogProducer`, `LogConsumer`, `EmbeddedKafkaCluster` keep one for their life; `KafkaProbe`,
/// `KafkaAdmin` and `KafkaTopicReader` use one for a single call (`RdKafkaClient.using`).
///
/// Thread-safe: `withHandle` may be called from any thread, concurrently; `close` waits for those
/// calls to return (without holding a lock meanwhile), and no call runs after the handle is destroyed.
final class RdKafkaClient: @unchecked Sendable {
    // @unchecked: `handle` is an immutable pointer to a thread-safe rd_kafka_t, used only inside
    // `lifetime.ifOpen` or by the poll thread (stopped before the handle is destroyed).

    /// What the handle is.
    enum Kind {
        /// A producer; also the bare handle of admin requests, metadata probes and the mock cluster.
        case producer
        /// A consumer whose callbacks (errors, rebalances) are all served by `rd_kafka_consumer_poll`.
        case consumer

        var rdKafka: rd_kafka_type_t { self == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER }
    }

    /// How `close` ends the handle.
    enum Ending {
        /// `rd_kafka_destroy` (a consumer first leaves its group with `rd_kafka_consumer_close`).
        case destroy
        /// A consumer dropped the way a killed process drops it: no final commit, no LeaveGroup.
        case abandon
    }

    let kind: Kind
    let context: ClientContext
    private let handle: OpaquePointer
    private let lifetime = HandleLifetime()
    /// Serves callbacks with `rd_kafka_poll` (producers created with `pollThread`).
    private let pollThread: PollThread?

    /// Creates the handle from `properties`, wired to `context`.
    ///
    /// - Parameter pollThread: the name of a thread that serves callbacks (delivery reports, errors)
    ///   with `rd_kafka_poll` until `close`; nil when the owner polls itself.
    init(_ kind: Kind, properties: [String: String], context: ClientContext = ClientContext(), pollThread: String? = nil)
        throws(KafkaError) {
        let conf = try RdKafkaConfiguration.makeConf(properties)
        let scrubber = SecretScrubber(properties: properties)
        context.events.hide(scrubber)
        RdKafkaConfiguration.install(context, on: conf)
        var errstr = [CChar](repeating: 0, count: 512)
        // On success `rd_kafka_new` owns the configuration; on failure it is still ours.
        guard let handle = rd_kafka_new(kind.rdKafka, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(kind: .clientCreation, message: "cannot create Kafka client: \(scrubber.scrub(errstr.cString))")
        }
        if kind == .consumer { _ = rd_kafka_poll_set_consumer(handle) }
        self.kind = kind
        self.context = context
        self.handle = handle
        self.pollThread = pollThread.map { name in
            let shared = SendableHandle(pointer: handle)
            return PollThread(name: name) { rd_kafka_poll(shared.pointer, 100) }
        }
    }

    deinit { close() }

    /// Runs `body` with the handle while it is open; nil without running it once `close` has begun.
    /// `body` must not call `close`.
    func withHandle<Result, Failure: Error>(_ body: (OpaquePointer) throws(Failure) -> Result) throws(Failure) -> Result? {
        try lifetime.ifOpen { () throws(Failure) -> Result in try body(handle) }
    }

    /// What librdkafka reported so far (errors, logs, rejected certificates).
    var events: ClientEvents.State { context.events.snapshot }

    /// Refuses new calls, waits for running ones, stops the poll thread, runs `beforeDestroy` (a final
    /// flush or commit: no lock is held meanwhile) and destroys the handle. Blocking; idempotent: a
    /// later call waits until the first has finished and returns false.
    @discardableResult
    func close(_ ending: Ending = .destroy, beforeDestroy: (OpaquePointer) -> Void = { _ in }) -> Bool {
        lifetime.close {
            // rd_kafka_yield ends a running rd_kafka_poll at once instead of after its 100 ms.
            pollThread?.stop { rd_kafka_yield(handle) }
            beforeDestroy(handle)
            switch (kind, ending) {
            case (.consumer, .destroy):
                _ = rd_kafka_consumer_close(handle)
                rd_kafka_destroy(handle)
            case (.consumer, .abandon):
                rd_kafka_destroy_flags(handle, Int32(RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE))
            case (.producer, _):
                rd_kafka_destroy(handle)
            }
        }
    }

    /// Creates a client, runs `body` with its handle and destroys it: for one-shot requests (metadata,
    /// admin, reading a topic's tail). Blocking.
    static func using<Result>(
        _ kind: Kind, properties: [String: String], context: ClientContext = ClientContext(),
        _ body: (OpaquePointer) throws(KafkaError) -> Result
    ) throws(KafkaError) -> Result {
        let client = try RdKafkaClient(kind, properties: properties, context: context)
        defer { client.close() }
        guard let result = try client.withHandle(body) else { throw .closedClient }
        return result
    }
}

/// A librdkafka handle pointer that may cross threads: `rd_kafka_t` is
/// thread-safe, and its owner guarantees it outlives every user.
private struct SendableHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}
