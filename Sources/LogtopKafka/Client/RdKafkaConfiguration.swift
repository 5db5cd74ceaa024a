import CRdKafka

/// Builds librdkafka configuration objects from plain `[String: String]` properties and installs the
/// callbacks that feed a `ClientContext` (`RdKafkaClient` makes the handle).
enum RdKafkaConfiguration {
    /// A new `rd_kafka_conf_t` holding `props`. The caller owns it.
    ///
    /// Throws a `.configuration` error naming the rejected key. librdkafka's own
    /// message is passed on only for non-secret keys (it may quote the value).
    static func makeConf(_ props: [String: String]) throws(KafkaError) -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(kind: .clientCreation, message: "rd_kafka_conf_new failed")
        }
        var errstr = [CChar](repeating: 0, count: 512)
        // Sorted, so the first bad key reported is deterministic.
        for (key, value) in props.sorted(by: { $0.key < $1.key }) {
            let result = rd_kafka_conf_set(conf, key, value, &errstr, errstr.count)
            guard result == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                let detail: String
                if KafkaSettings.isSecret(key: key) {
                    detail = result == RD_KAFKA_CONF_UNKNOWN ? "unknown property" : "invalid value"
                } else {
                    detail = errstr.cString
                }
                throw KafkaError(
                    kind: .configuration,
                    message: "configuration property \"\(key)\" rejected: \(detail)",
                    key: key,
                    hint: result == RD_KAFKA_CONF_UNKNOWN
                        ? "see librdkafka's CONFIGURATION.md for the property names of version \(librdkafkaVersion())"
                        : nil)
            }
        }
        return conf
    }

    /// Installs the callbacks `context` needs and makes it the opaque pointer.
    static func install(_ context: ClientContext, on conf: OpaquePointer) {
        rd_kafka_conf_set_opaque(conf, context.opaque)
        rd_kafka_conf_set_log_cb(conf) { rk, level, facility, message in
            guard let rk, let context = ClientContext.from(rd_kafka_opaque(rk)) else { return }
            // Keep warnings and worse; drop info/debug. Nothing reaches stderr.
            guard level <= 4 else { return }
            context.events.recordLog(
                level: Int(level),
                facility: facility.map { String(cString: $0) } ?? "",
                message: message.map { String(cString: $0) } ?? "")
        }
        rd_kafka_conf_set_error_cb(conf) { rk, err, reason, opaque in
            guard let context = ClientContext.from(opaque) else { return }
            var code = KafkaErrorCode(rawValue: err)
            var text = reason.map { String(cString: $0) } ?? ""
            var fatal = false
            if code == .fatal, let rk {
                var buffer = [CChar](repeating: 0, count: 512)
                let original = rd_kafka_fatal_error(rk, &buffer, buffer.count)
                code = KafkaErrorCode(original)
                text = buffer.cString
                fatal = true
            }
            context.events.record(KafkaErrorEvent(code: code, reason: text, isFatal: fatal))
        }
        // Only observes: the verdict stays OpenSSL's (fail exactly when it reports an error), but the
        // X.509 error code is kept, because librdkafka's own message says only "certificate verify
        // failed" for an unknown CA, a host-name mismatch and an expired certificate alike.
        _ = rd_kafka_conf_set_ssl_cert_verify_cb(conf) { _, brokerName, _, x509Error, depth, _, _, errstr, errstrSize, opaque in
            guard let x509Error, x509Error.pointee != 0 else { return 1 }
            let failure = TLSVerificationFailure(
                x509Error: x509Error.pointee, depth: Int(depth),
                broker: brokerName.map { String(cString: $0) } ?? "")
            ClientContext.from(opaque)?.events.recordTLSFailure(failure)
            if let errstr, errstrSize > 0 {
                let text = Array(failure.reason.utf8.prefix(errstrSize - 1)).map { CChar(bitPattern: $0) } + [0]
                text.withUnsafeBufferPointer { errstr.update(from: $0.baseAddress!, count: $0.count) }
            }
            return 0
        }
        if context.delivery != nil {
            rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
                guard let message, let context = ClientContext.from(opaque) else { return }
                // The message belongs to librdkafka: read it, never free it.
                // The record's opaque is its line count (`LogProducer.produce`); none means one.
                let lines = Int(bitPattern: message.pointee._private)
                context.delivery?.record(error: KafkaErrorCode(message.pointee.err), lines: max(lines, 1))
            }
        }
        if context.consumption != nil {
            rd_kafka_conf_set_rebalance_cb(conf) { rk, err, partitions, opaque in
                guard let rk, let context = ClientContext.from(opaque) else { return }
                LogConsumer.rebalance(rk, err: err, partitions: partitions, context: context)
            }
            rd_kafka_conf_set_offset_commit_cb(conf) { _, err, _, opaque in
                guard let context = ClientContext.from(opaque) else { return }
                let code = KafkaErrorCode(err)
                context.consumption?.committed(code)
                if code != .noError && code != .noOffset {
                    context.events.record(KafkaErrorEvent(code: code, reason: "offset commit failed (retried with the next commit)"))
                }
            }
        }
    }
}

extension Array where Element == CChar {
    /// The NUL-terminated C string held in the buffer.
    var cString: String {
        String(decoding: prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
