import Foundation

/// The lines of one record of the `logs` topic. logtop's own sources write several lines per record,
/// joined by `\n`; other producers usually write one line per record, with or without a final
/// newline, and may write several too. Each line is analysed as a line, whoever wrote the record.
enum RecordLines {
    /// Calls `body` for every line of `value` in order and returns how many there were. Lines are
    /// separated by `\n`; a final `\n` ends the last line (it does not start an empty one). An empty
    /// value is one empty line, as an empty line of a file is.
    @inline(__always)
    @discardableResult
    static func forEach(in value: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) -> Int {
        guard let base = value.baseAddress, value.count > 0 else {
            body(value)
            return 1
        }
        var start = 0
        var count = 0
        let end = value.count
        while start < end {
            guard let found = memchr(base + start, 0x0A, end - start) else { break }
            let nl = UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - base
            body(UnsafeBufferPointer(start: base + start, count: nl - start))
            count += 1
            start = nl + 1
        }
        if start < end {
            body(UnsafeBufferPointer(start: base + start, count: end - start))
            count += 1
        }
        return count
    }
}
