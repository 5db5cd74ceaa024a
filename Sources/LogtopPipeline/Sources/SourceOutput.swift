/// What a running source hands its lines, state and errors to: the `LogWriter` towards Kafka, its own
/// `SourceTracker` for the status, and the pipeline's error list for the front end.
struct SourceOutput: Sendable {
    let tracker: SourceTracker
    let writer: LogWriter
    let lifecycle: LifecycleCell
    let errors: ErrorList
    /// Set for a file of a paced replay (`--replay-speed`): each line waits for its time.
    var replay: ReplayPacer? = nil

    /// One line (without its newline) to Kafka (after its time in a paced replay); false when the
    /// pipeline is stopping.
    func line(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if let replay, !replay.pace(bytes, stop: { lifecycle.sourcesShouldStop }) { return false }
        return writer.write(bytes, from: tracker)
    }

    func line(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { line(UnsafeRawBufferPointer(bytes)) }

    /// The pipeline is stopping: return soon.
    var shouldStop: Bool { lifecycle.sourcesShouldStop }

    var name: String { tracker.name }

    func set(_ state: SourceState) { tracker.set(state) }

    /// An error for the front end (shown once), e.g. a file that vanished.
    func report(_ error: String) { errors.append(error) }

    /// The source cannot go on: says why, to the front end and in its state.
    func fail(_ error: String, state why: String) {
        errors.append(error)
        tracker.set(.failed(why))
    }
}
