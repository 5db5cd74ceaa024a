/// A TCP connection, reconnected with back-off until the pipeline stops (see `TCPLineSource`).
struct TCPSource: LineSource {
    let host: String
    let port: UInt16
    let initialBackoffMs: Int
    let maxBackoffMs: Int

    func run(into output: SourceOutput) {
        let source = TCPLineSource(host: host, port: port, initialBackoffMs: initialBackoffMs, maxBackoffMs: maxBackoffMs)
        var reported: String?
        source.run(
            shouldStop: { output.shouldStop },
            state: { state in
                if state == .connected { output.tracker.addConnection() }
                // Each new reason once (not every attempt): "refused", "closed the connection"...
                if case .reconnecting = state, let why = source.lastError, why != reported {
                    reported = why
                    output.report("\(output.name): \(why)")
                }
                output.set(state)
            },
            line: { line in output.line(line) },
            readDone: { output.endOfInput() })
    }
}
