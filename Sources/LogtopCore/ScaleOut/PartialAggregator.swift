/// What one analyzer of a scale-out group counts for one source partition between two publications:
/// the lines it consumed, parsed and aggregated per second of event time, ready to publish as a
/// `MetricsPartial`.
///
/// Lines are counted as `AnalysisEngine.ingest(line:)` counts them (the same parser, straight from
/// the bytes), but with no watermark: every line goes to the second it was stamped, and the reader
/// that merges the partials decides what is late. A malformed line has no time of its own: it is
/// counted at the newest second seen in the partition (as the engine counts it at its newest event
/// time); before any, it waits for the first good line of the range, or is published by reason only.
public struct PartialAggregator: Sendable {
    public let topic: String
    public let partition: Int32
    /// Size of each top list per second (`EngineConfig.secondCapacity` or more).
    public let capacity: Int
    private var parser: AccessLogParser
    private var buckets = SecondBuckets()
    /// Newest event second of the partition (kept from one range to the next).
    private var newest: Int64?
    /// The newest second's aggregate of the previous range: new seconds are sized like it.
    private var model: TrafficAggregate?
    /// Malformed lines of this range met before any event second.
    private var unplaced = 0
    /// Malformed lines of this range by reason.
    public private(set) var malformedByReason: [MalformedReason: Int] = [:]
    /// Offsets of the range counted since the last `take`, `nil` while it is empty.
    public private(set) var firstOffset: Int64?
    public private(set) var nextOffset: Int64?
    /// Lines counted since the last `take`.
    public private(set) var lineCount = 0

    public init(topic: String, partition: Int32, capacity: Int = EngineConfig().secondCapacity,
                format: LogFormat = .auto, keepQuery: Bool = false) {
        self.topic = topic
        self.partition = partition
        self.capacity = max(1, capacity)
        parser = AccessLogParser(format: format, keepQuery: keepQuery)
    }

    /// Parses and counts the line at `offset` (bytes, with or without newline).
    public mutating func ingest(line: UnsafeBufferPointer<UInt8>, offset: Int64) {
        cover(offset)
        var fields = LineFields()
        switch parser.scan(line, into: &fields) {
        case .fields(let s): withBucket(fields.time) { $0.add(fields, in: s) }
        case .json:
            switch parser.parse(line) {
            case .record(let r): withBucket(r.time) { $0.add(r) }
            case .malformed(let reason): countMalformed(reason)
            }
        case .malformed(let reason): countMalformed(reason)
        }
    }

    public mutating func ingest(line: String, offset: Int64) {
        var copy = line
        copy.withUTF8 { ingest(line: $0, offset: offset) }
    }

    /// Counts the record at `offset` as a malformed line that the reader already knows to be
    /// malformed (e.g. cut because it was too long).
    public mutating func ingestMalformed(_ reason: MalformedReason, offset: Int64) {
        cover(offset)
        countMalformed(reason)
    }

    /// The partial of everything counted since the last call, `nil` when nothing was; the next range
    /// starts empty.
    public mutating func take(member: String, producedAt: Int64, memberLag: Int64) -> MetricsPartial? {
        guard let first = firstOffset, let next = nextOffset else { return nil }
        var seconds: [(second: Int64, aggregate: TrafficAggregate)] = []
        seconds.reserveCapacity(buckets.count)
        for t in buckets.keys.sorted() { buckets.read(t) { seconds.append((t, $0.pointee)) } }
        let partial = MetricsPartial(member: member, topic: topic, partition: partition, firstOffset: first,
                                     nextOffset: next, producedAt: producedAt, memberLag: memberLag, seconds: seconds,
                                     malformedByReason: malformedByReason)
        if let last = seconds.last { model = last.aggregate }
        buckets = SecondBuckets()
        malformedByReason = [:]
        unplaced = 0
        firstOffset = nil
        nextOffset = nil
        lineCount = 0
        return partial
    }

    private mutating func cover(_ offset: Int64) {
        if firstOffset == nil { firstOffset = offset }
        nextOffset = max(nextOffset ?? offset + 1, offset + 1)
        lineCount += 1
    }

    /// The aggregate of second `t`, to change in place; a missing one is created.
    @inline(__always)
    private mutating func withBucket(_ t: Int64, _ body: (inout TrafficAggregate) -> Void) {
        if !buckets.contains(t) {
            var fresh = TrafficAggregate(capacity: capacity)
            if let n = newest, buckets.contains(n) {
                buckets.read(n) { fresh.reserve(like: $0.pointee) }
            } else if let model {
                fresh.reserve(like: model)
            }
            if unplaced > 0 {
                fresh.malformed = unplaced
                unplaced = 0
            }
            buckets.add(t, fresh)
        }
        buckets.modify(t, body)
        if newest.map({ t > $0 }) ?? true { newest = t }
    }

    private mutating func countMalformed(_ reason: MalformedReason) {
        malformedByReason[reason, default: 0] += 1
        if let t = newest { withBucket(t) { $0.countMalformed() } } else { unplaced += 1 }
    }
}
