/// What a running source hands its lines, state and errors to: the `LogWriter` towards Kafka, its own
/// `SourceTracker` for the status, and the pipeline's error list for the front end.
struct SourceOutput: Sendable {
    let tracker: SourceTracker
    let writer: LogWriter
    let lifecycle: LifecycleCell
    let errors: ErrorList
    /// Set for a file of a paced replay (`--replay-speed`): each line waits for its time.
    var replay: ReplayPacer? = nil

    /// The lines read and not yet handed to Kafka.
    let batch = LineBatch()

    /// One line (without its newline) for Kafka, added to the source's batch (see `LineBatch`); a paced
    /// replay sends each line alone at its time, and a cut line goes alone, marked. False when the
    /// pipeline is stopping. The source calls `endOfInput()` whenever it has no more input at hand;
    /// what is left when it ends, `Pipeline.start` sends.
    func line(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if let replay {
            guard replay.pace(bytes, stop: { lifecycle.sourcesShouldStop }) else { return false }
            return writer.write(bytes, from: tracker)
        }
        if LineSplitter.isCut(bytes) {
            return endOfInput() && writer.write(bytes, from: tracker)
        }
        if batch.append(bytes) { return true }
        guard endOfInput() else { return false }
        // A line longer than a whole batch goes in a record of its own.
        return batch.append(bytes) || writer.write(bytes, from: tracker)
    }

    /// Sends the lines batched so far: the source has no more input at hand (a read ended, a tick of
    /// the generator, the end of the source) or the batch is full. False when the pipeline is stopping.
    @discardableResult
    func endOfInput() -> Bool { writer.write(batch, from: tracker) }

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
