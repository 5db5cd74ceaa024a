import Synchronization

/// Thread-safe record of what librdkafka reported asynchronously for one client:
/// error callbacks, fatal errors, warning log lines, offset-reset notices and
/// rejected broker certificates. Written from librdkafka's threads, read from any thread.
///
/// Every text is passed through the client's `SecretScrubber` before it is kept, so no
/// secret configuration value can reach a screen or a log through an error message.
final class ClientEvents: Sendable {
    /// How many recent errors and log lines are kept.
    static let capacity = 32

    struct State: Sendable {
        var errors: [KafkaErrorEvent] = []
        var errorCount = 0
        var fatal: KafkaErrorEvent?
        var logs: [KafkaLogLine] = []
        var offsetResets = 0
        /// Broker certificates OpenSSL rejected, most recent last.
        var tlsFailures: [TLSVerificationFailure] = []
    }

    private let state = Mutex(State())
    private let scrubber = Mutex(SecretScrubber())

    /// Values to hide from every recorded text (set from the client's secret properties).
    func hide(_ secrets: SecretScrubber) {
        scrubber.withLock { $0 = secrets }
    }

    func record(_ event: KafkaErrorEvent) {
        var event = event
        event.reason = scrubber.withLock { $0.scrub(event.reason) }
        state.withLock { state in
            state.errorCount += 1
            if event.isFatal, state.fatal == nil { state.fatal = event }
            if event.code == .autoOffsetReset { state.offsetResets += 1 }
            state.errors.append(event)
            if state.errors.count > Self.capacity { state.errors.removeFirst(state.errors.count - Self.capacity) }
        }
    }

    func recordLog(level: Int, facility: String, message: String) {
        // librdkafka logs offset resets caused by an error (e.g. the committed or
        // fetch offset was trimmed by retention) at warning level, facility OFFSET;
        // with auto.offset.reset=earliest/latest this is the only notice.
        let isOffsetReset = facility == "OFFSET" && message.contains("offset reset")
        let message = scrubber.withLock { $0.scrub(message) }
        state.withLock { state in
            if isOffsetReset { state.offsetResets += 1 }
            state.logs.append(KafkaLogLine(level: level, facility: facility, message: message))
            if state.logs.count > Self.capacity { state.logs.removeFirst(state.logs.count - Self.capacity) }
        }
    }

    func recordTLSFailure(_ failure: TLSVerificationFailure) {
        state.withLock { state in
            state.tlsFailures.append(failure)
            if state.tlsFailures.count > Self.capacity {
                state.tlsFailures.removeFirst(state.tlsFailures.count - Self.capacity)
            }
        }
    }

    var snapshot: State { state.withLock { $0 } }
}
