/// Where the fields of one common/combined line are, as byte ranges of the (trimmed) line, with the
/// numbers already decoded: what `AccessLogParser` finds before it makes any `String`.
///
/// Plain values (no references): filling, copying and dropping it costs no reference counting. The
/// engine counts a line from it directly (`TrafficAggregate.add(_:in:)`), making a `String` only for
/// a key that is new to a sketch; `AccessLogParser.parse` turns it into a `LogRecord`.
struct LineFields {
    /// A byte range `start..<end`; absent when `end < 0`.
    struct Span {
        var start = 0
        var end = -1

        @inline(__always) var isPresent: Bool { end >= 0 }
        @inline(__always) var count: Int { end - start }
    }

    var client = Span()
    var vhost = Span()
    /// Method, path and protocol are present together (protocol only when the request has one).
    var method = Span()
    var path = Span()
    var proto = Span()
    /// Absent when missing, empty or `-` (as `LogRecord.referrer` is `nil`).
    var referrer = Span()
    var agent = Span()
    var time: Int64 = 0
    var status = 0
    var bytes: Int64 = 0
    /// Request time in microseconds, or -1 when the line has none.
    var micros: Int64 = -1
}
