import CRdKafka
import Foundation

/// Checks that the configured cluster answers, so an application can fail
/// fast with a clear message instead of retrying silently forever.
public enum KafkaProbe {
    /// How long the probe keeps trying after the first "broker down" report (connection refused,
    /// resolution failure, disconnect): a host name may have several addresses (`localhost` is ::1
    /// and 127.0.0.1) and a list several brokers, so one refusal is not the verdict yet.
    public static let downGraceMs = 3_000

    /// Asks the cluster for its metadata, waiting at most about `timeoutMs`.
    ///
    /// Validates the settings first (`KafkaSettings.validate()`: no SASL/PLAIN password in clear
    /// unless allowed). Fails at once when TLS or SASL fails or the security protocol does not match
    /// the listener, and about `downGraceMs` after the brokers are reported down. The thrown
    /// `.unreachable` error names the address and carries the classified cause (`KafkaError.problem`),
    /// for the caller to word the fix in its users' terms. Blocking: call it off the cooperative pool.
    public static func checkReachable(_ settings: KafkaSettings, timeoutMs: Int = 10_000) throws(KafkaError) -> KafkaClusterInfo {
        guard let address = settings.bootstrapServers, !address.isEmpty else {
            throw KafkaError(kind: .configuration, message: "no Kafka bootstrap servers configured", key: "bootstrap.servers")
        }
        try settings.validate()
        let context = ClientContext()
        var props = settings.commonProperties().merging(settings.extra) { _, new in new }
        props["client.id"] = settings.clientId + "-probe"
        return try RdKafkaClient.using(.producer, properties: props, context: context) { handle throws(KafkaError) in
            try waitForMetadata(handle, events: context.events, address: address, settings: settings, timeoutMs: timeoutMs)
        }
    }

    /// Asks for metadata until it comes, the failure is decisive, or time is up.
    private static func waitForMetadata(
        _ handle: OpaquePointer, events recorded: ClientEvents, address: String, settings: KafkaSettings, timeoutMs: Int
    ) throws(KafkaError) -> KafkaClusterInfo {
        let start = Date()
        let deadline = start.addingTimeInterval(Double(timeoutMs) / 1000)
        var downSince: Date?
        while true {
            let remaining = Int(deadline.timeIntervalSinceNow * 1000)
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let result = rd_kafka_metadata(handle, 0, nil, &metadata, Int32(max(min(remaining, 250), 1)))
            if result == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata {
                defer { rd_kafka_metadata_destroy(metadata) }
                let md = metadata.pointee
                let brokers = (0..<Int(md.broker_cnt)).map { index in
                    let broker = md.brokers[index]
                    return KafkaClusterInfo.Broker(id: broker.id, host: String(cString: broker.host), port: Int(broker.port))
                }
                return KafkaClusterInfo(
                    brokers: brokers, answeringBroker: md.orig_broker_name.map { String(cString: $0) } ?? address)
            }
            rd_kafka_poll(handle, 0) // serve error callbacks
            let events = recorded.snapshot
            let now = Date()
            if downSince == nil, isDown(events) { downSince = now }
            let graceOver = downSince.map { now.timeIntervalSince($0) * 1000 >= Double(downGraceMs) } ?? false
            if isDecisive(events) || graceOver || now >= deadline {
                throw unreachable(address: address, settings: settings, timeoutMs: timeoutMs, events: events)
            }
        }
    }

    /// TLS, SASL and security-protocol mismatches do not go away by retrying.
    static func isDecisive(_ events: ClientEvents.State) -> Bool {
        if !events.tlsFailures.isEmpty { return true }
        if events.errors.contains(where: { [.ssl, .authentication, .saslAuthenticationFailed].contains($0.code) }) { return true }
        let texts = events.errors.map(\.reason) + events.logs.map(\.message)
        return texts.contains { text in
            ["connecting to a SSL listener", "connecting to a PLAINTEXT broker listener", "wrong version number",
             "packet length too long", "SSL handshake failed", "SASL"].contains { text.contains($0) }
        }
    }

    static func isDown(_ events: ClientEvents.State) -> Bool {
        events.errors.contains { [.allBrokersDown, .transport, .resolve].contains($0.code) }
    }

    static func unreachable(address: String, settings: KafkaSettings, timeoutMs: Int, events: ClientEvents.State) -> KafkaError {
        let problem = KafkaConnectionProblem.classify(
            address: address, settings: settings, errors: events.errors, logs: events.logs,
            tlsFailures: events.tlsFailures, timeoutMs: timeoutMs)
        let code = events.errors.last { [.ssl, .authentication, .saslAuthenticationFailed, .resolve, .transport].contains($0.code) }?.code
            ?? (events.errors.isEmpty ? .timedOut : events.errors.last?.code)
        return KafkaError(kind: .unreachable, message: problem.message, code: code, problem: problem)
    }
}
