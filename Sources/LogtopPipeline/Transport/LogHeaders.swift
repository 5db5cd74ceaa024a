import LogtopCore
import LogtopKafka

/// The headers logtop's own sources put on each record of the `logs` topic.
public enum LogHeaders {
    /// Marks the lines of one run (a random id), so the analyzer knows when a finite run is done.
    public static let run = "logtop-run"
    /// Which source a line came from (`file:PATH`, `stdin`, `generator`...).
    public static let source = "logtop-source"
    /// Marks a line cut by `LineSplitter` (counted as malformed).
    public static let cut = "logtop-cut"
    /// `LINE/RECORD` (decimal): the number of the record's first line among the lines this run wrote
    /// to the record's partition, and the number of the record among the run's records there, both
    /// from 0. Consecutive records of a run continue both counts, so the lines of records lost in
    /// between can be counted (`LineMark`).
    public static let seq = "logtop-seq"

    /// The `logtop-seq` value of a record.
    static func seqValue(line: Int64, record: Int64) -> [UInt8] { Array("\(line)/\(record)".utf8) }

    /// The line mark of a record of `lines` lines: from its `logtop-run` and `logtop-seq` headers, or
    /// unmarked when it has not both (another producer's record).
    static func mark(run: UnsafeRawBufferPointer?, seq: UnsafeRawBufferPointer?, lines: Int) -> LineMark {
        guard let run, let seq, let id = hexNumber(run), id != 0, let slash = seq.firstIndex(of: 0x2F),
              let first = decimalNumber(UnsafeRawBufferPointer(rebasing: seq[..<slash])),
              let record = decimalNumber(UnsafeRawBufferPointer(rebasing: seq[(slash + 1)...])) else {
            return .unmarked(count: lines)
        }
        return LineMark(run: id, first: first, count: lines, record: record)
    }

    private static func hexNumber(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
        guard !bytes.isEmpty, bytes.count <= 16 else { return nil }
        var value: UInt64 = 0
        for b in bytes {
            guard let digit = ASCIIDigits.hex(b) else { return nil }
            value = value << 4 | UInt64(digit)
        }
        return value
    }

    private static func decimalNumber(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        guard bytes.count <= 18 else { return nil }
        return ASCIIDigits.decimal(bytes)
    }
}
