/// Where a record's lines sit among the lines its producer wrote to the record's partition, for
/// counting lost *lines* when records of several lines disappear (retention, truncation).
///
/// logtop's own records say it in their headers (`logtop-run`, `logtop-seq`): a run's records in a
/// partition number their lines 0, 1, 2... and themselves 0, 1, 2... without holes. When records are
/// missing between two records of one run, the second's `first` minus the line after the first
/// record is the number of lines lost; when a run's first records are missing (nothing of it seen
/// before), its first record seen says how many lines and records came before it. A record that
/// says nothing (another producer's) is `unmarked`: one line, and a missing record whose lines
/// nothing tells counts as one line.
public struct LineMark: Sendable, Equatable {
    /// The producing run (any non-zero id), or 0 when the record does not say.
    public var run: UInt64
    /// The number, among its run's lines in this partition, of the record's first line.
    public var first: Int64
    /// Lines in the record.
    public var count: Int
    /// The number of the record among its run's records in this partition.
    public var record: Int64

    public init(run: UInt64, first: Int64, count: Int, record: Int64) {
        self.run = run
        self.first = first
        self.count = count
        self.record = record
    }

    /// A record of `count` lines that says nothing of its place.
    public static func unmarked(count: Int = 1) -> LineMark { LineMark(run: 0, first: 0, count: count, record: 0) }

    /// Lines in the `missing` records just before a record marked `self`, the record before them
    /// marked `previous` (nil when none was seen since the partition was assigned).
    func linesMissing(_ missing: Int64, after previous: LineMark?) -> Int64 {
        guard missing > 0 else { return 0 }
        if run != 0, let previous, previous.run == run, first >= previous.next {
            return first - previous.next  // both sides of the gap are this run's: exact
        }
        if run != 0, record <= missing {
            // This run's first `record` records (`first` lines) are among the missing; the others are
            // earlier records whose lines nothing tells: one each.
            return first + (missing - record)
        }
        return missing
    }

    /// The number of the line after this record's last.
    var next: Int64 { first + Int64(count) }
}
