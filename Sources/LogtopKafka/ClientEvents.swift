/// Thread-safe record of what librdkafka reported asynchronously for one client:
/// error callbacks, fatal errors, warning log lines and offset-reset notices.
/// Written from librdkafka's threads, read from any thread.
final class ClientEvents: Sendable {
    /// How many recent errors and log lines are kept.
    static let capacity = 32

    struct State: Sendable {
        var errors: [KafkaErrorEvent] = []
        var errorCount = 0
        var fatal: KafkaErrorEvent?
        var logs: [KafkaLogLine] = []
        var offsetResets = 0
    }

    private let state = Locked(State())

    func record(_ event: KafkaErrorEvent) {
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
        state.withLock { state in
            if isOffsetReset { state.offsetResets += 1 }
            state.logs.append(KafkaLogLine(level: level, facility: facility, message: message))
            if state.logs.count > Self.capacity { state.logs.removeFirst(state.logs.count - Self.capacity) }
        }
    }

    var snapshot: State { state.snapshot }
}
