import CRdKafka
import Foundation

/// Checks that the configured cluster answers, so an application can fail
/// fast with a clear message instead of retrying silently forever.
public enum KafkaProbe {
    /// Asks the cluster for its metadata, waiting at most about `timeoutMs`.
    ///
    /// Fails early when librdkafka reports that every broker is down or that
    /// authentication or TLS failed. The thrown `.unreachable` error names the
    /// address and, for common causes (connection refused, TLS, SASL, DNS,
    /// silence), carries a hint. Blocking: call it off the cooperative pool.
    public static func checkReachable(_ settings: KafkaSettings, timeoutMs: Int = 10_000) throws(KafkaError) -> KafkaClusterInfo {
        guard let address = settings.bootstrapServers, !address.isEmpty else {
            throw KafkaError(kind: .configuration, message: "no Kafka bootstrap servers configured", key: "bootstrap.servers")
        }
        let context = ClientContext()
        var props = settings.commonProperties().merging(settings.extra) { _, new in new }
        props["client.id"] = settings.clientId + "-probe"
        let handle = try RdKafkaConfiguration.makeHandle(RD_KAFKA_PRODUCER, props: props, context: context)
        defer {
            rd_kafka_destroy(handle)
            withExtendedLifetime(context) {}
        }

        let deadline = Date().addingTimeInterval(Double(timeoutMs) / 1000)
        while true {
            let remaining = Int(deadline.timeIntervalSinceNow * 1000)
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let result = rd_kafka_metadata(handle, 0, nil, &metadata, Int32(max(min(remaining, 500), 1)))
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
            let errors = context.events.snapshot.errors
            let decisive = errors.first { [.authentication, .ssl, .saslAuthenticationFailed].contains($0.code) }
                ?? errors.first { $0.code == .allBrokersDown || $0.code == .resolve }
            if decisive != nil || Date() >= deadline {
                throw unreachable(address: address, settings: settings, timeoutMs: timeoutMs,
                                  cause: decisive, events: context.events.snapshot)
            }
        }
    }

    private static func unreachable(
        address: String, settings: KafkaSettings, timeoutMs: Int, cause: KafkaErrorEvent?, events: ClientEvents.State
    ) -> KafkaError {
        // The most specific explanation: a transport error usually names the
        // socket error ("Connection refused"), all-brokers-down does not.
        let specific = events.errors.first { [.authentication, .ssl, .saslAuthenticationFailed, .resolve].contains($0.code) }
            ?? events.errors.first { $0.code == .transport }
            ?? cause
        let texts = (events.errors.map(\.reason) + events.logs.map(\.message)).joined(separator: "\n")
        let reason = specific.map { "\($0.reason)" } ?? "no answer within \(timeoutMs) ms"
        let hint: String
        if texts.contains("SASL Handshake not supported") {
            hint = "the listener at \(address) does not accept SASL: check security.protocol (sasl_ssl, sasl_plaintext, ssl, plaintext)"
        } else if specific?.code == .authentication || specific?.code == .saslAuthenticationFailed
            || texts.contains("SASL") || texts.contains("Authentication") {
            hint = "SASL authentication failed: check the user name and password (KAFKA_USERNAME, KAFKA_PASSWORD) and sasl.mechanisms"
        } else if specific?.code == .ssl || texts.contains("SSL") || texts.contains("certificate") {
            hint = "TLS failed: check security.protocol matches the listener (ssl vs plaintext), ssl.ca.location and the broker host name"
        } else if texts.contains("Connection refused") {
            hint = "nothing listens at \(address): is the broker running (docker compose up -d)? Omit --brokers to use the embedded cluster"
        } else if specific?.code == .resolve || texts.contains("resolve") {
            hint = "the host name of \(address) cannot be resolved: check the address"
        } else if settings.securityProtocol == .plaintext {
            hint = "no answer from \(address): wrong port, a firewall, or a TLS listener (try security.protocol=ssl)"
        } else {
            hint = "no answer from \(address): wrong port or a firewall"
        }
        return KafkaError(
            kind: .unreachable, message: "cannot reach Kafka at \(address): \(reason)",
            code: specific?.code ?? .timedOut, hint: hint)
    }
}
