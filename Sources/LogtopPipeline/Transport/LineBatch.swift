/// Complete lines a source has read and not yet handed to Kafka: logtop's own sources send a batch
/// of lines as one record of the `logs` topic, the lines joined by `\n` (no newline after the last),
/// so that Kafka's cost is paid per batch instead of per line.
///
/// A batch is sent when the next line would take it past `maxBytes`, and whenever its source has
/// no more input at hand (the end of a read, of a generator's tick, of the source): a batch never
/// waits for lines that have not arrived, so batching adds no latency.
final class LineBatch: @unchecked Sendable {
    // @unchecked: a batch belongs to one source and is used only on that source's thread.

    /// The most bytes one record holds (a longer line goes alone in a record of its own).
    static let maxBytes = 64 << 10

    private(set) var bytes: [UInt8] = []
    /// Lines in `bytes`.
    private(set) var lines = 0

    init() { bytes.reserveCapacity(Self.maxBytes) }

    var isEmpty: Bool { lines == 0 }

    /// Adds `line` (without its newline); false, adding nothing, when it does not fit.
    func append(_ line: UnsafeRawBufferPointer) -> Bool {
        let needed = lines == 0 ? line.count : bytes.count + 1 + line.count
        guard needed <= Self.maxBytes else { return false }
        if lines > 0 { bytes.append(0x0A) }
        bytes.append(contentsOf: line)
        lines += 1
        return true
    }

    func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        lines = 0
    }
}
