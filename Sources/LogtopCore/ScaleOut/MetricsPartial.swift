/// One record of the metrics topic: what one analyzer of a scale-out group counted in a range of
/// records of one `logs` partition, as mergeable per-second aggregates.
///
/// Each analyzer (a *member*) aggregates the partitions it is assigned and publishes these records
/// (see `PartialAggregator`); a reader merges them by event time into the figures a single analyzer
/// would give (`AnalysisEngine.ingest(partial:second:malformedByReason:)`). The offset range says
/// which source records a record covers, so a reader can drop what it has already counted (a
/// partition moved to another member may be counted again from its last committed offset) and see
/// gaps.
///
/// The encoding (`encode()`, `init(decoding:)`) is versioned and compact:
///
///     record  = "LTMP" version(1 byte) member topic partition(signed) firstOffset(signed)
///               nextOffset(signed) producedAt(signed) memberLag(signed)
///               n {reason: 1 byte, count}                  malformed lines by reason, by code
///               n [second(signed) aggregate {secondGap aggregate}]  n ascending seconds
///
/// with strings as a varint length and UTF-8, integers as LEB128 varints (zigzag when signed) and
/// aggregates as `AggregateCodec` writes them. Decoding hostile bytes throws, never traps.
public struct MetricsPartial: Sendable, Equatable {
    /// The encoding version this build writes, and the only one it reads.
    public static let currentVersion: UInt8 = 1
    static let magic: [UInt8] = Array("LTMP".utf8)
    /// Longest member id and topic name accepted (Kafka topic names have at most 249 bytes).
    static let maxNameBytes = 1024
    /// Event seconds accepted: years 0 to 9999 (what the parser reads) and then some.
    static let secondRange: ClosedRange<Int64> = -(1 << 38)...(1 << 38)

    /// Version of the encoding this record was decoded from (`currentVersion` when made here).
    public let formatVersion: UInt8
    /// Id of the analyzer process that published the record.
    public var member: String
    /// Source topic and partition of the records counted.
    public var topic: String
    public var partition: Int32
    /// The source records counted: offsets `firstOffset..<nextOffset`.
    public var firstOffset: Int64
    public var nextOffset: Int64
    /// When the record was made, Unix milliseconds.
    public var producedAt: Int64
    /// The member's total consumer lag (records) when it published.
    public var memberLag: Int64
    /// Event-time seconds the records fell in, ascending, with their aggregates. An aggregate's
    /// `malformed` counts the malformed lines met at that second (lines have no time of their own).
    public var seconds: [(second: Int64, aggregate: TrafficAggregate)]
    /// Malformed lines of the range by reason. When `seconds` is not empty these add up to the
    /// seconds' `malformed` counts (decoding checks it); a record without seconds (nothing but
    /// malformed lines) carries them here only.
    public var malformedByReason: [MalformedReason: Int]

    public init(member: String, topic: String, partition: Int32, firstOffset: Int64, nextOffset: Int64,
                producedAt: Int64, memberLag: Int64, seconds: [(second: Int64, aggregate: TrafficAggregate)],
                malformedByReason: [MalformedReason: Int] = [:]) {
        formatVersion = Self.currentVersion
        self.member = member
        self.topic = topic
        self.partition = partition
        self.firstOffset = firstOffset
        self.nextOffset = nextOffset
        self.producedAt = producedAt
        self.memberLag = memberLag
        self.seconds = seconds
        self.malformedByReason = malformedByReason
    }

    /// Lines counted: requests and malformed lines.
    public var lines: Int { seconds.reduce(0) { $0 + $1.aggregate.requests } + malformed }
    /// Malformed lines counted.
    public var malformed: Int { malformedByReason.values.reduce(0, +) }

    public static func == (a: MetricsPartial, b: MetricsPartial) -> Bool {
        a.formatVersion == b.formatVersion && a.member == b.member && a.topic == b.topic && a.partition == b.partition
            && a.firstOffset == b.firstOffset && a.nextOffset == b.nextOffset && a.producedAt == b.producedAt
            && a.memberLag == b.memberLag && a.malformedByReason == b.malformedByReason
            && a.seconds.count == b.seconds.count
            && zip(a.seconds, b.seconds).allSatisfy { $0.second == $1.second && $0.aggregate == $1.aggregate }
    }

    // MARK: encoding

    /// The record in the current encoding. Seconds are written in ascending order, the aggregates of
    /// a second listed twice merged.
    public func encode() -> [UInt8] {
        var w = ByteWriter(capacity: 1024 + 2048 * seconds.count)
        for b in Self.magic { w.byte(b) }
        w.byte(Self.currentVersion)
        w.string(member)
        w.string(topic)
        w.svarint(Int64(partition))
        w.svarint(firstOffset)
        w.svarint(nextOffset)
        w.svarint(producedAt)
        w.svarint(memberLag)
        let reasons = malformedByReason.filter { $0.value != 0 }
            .map { (code: AggregateCodec.code($0.key), count: $0.value) }
            .sorted { $0.code < $1.code }
        w.uvarint(reasons.count)
        for r in reasons {
            w.byte(r.code)
            w.uvarint(r.count)
        }
        let ordered = orderedSeconds
        w.uvarint(ordered.count)
        for (i, s) in ordered.enumerated() {
            if i == 0 { w.svarint(s.second) } else { w.uvarint(UInt64(bitPattern: s.second &- ordered[i - 1].second &- 1)) }
            AggregateCodec.encode(s.aggregate, into: &w)
        }
        return w.bytes
    }

    /// `seconds` ascending, without repeats.
    private var orderedSeconds: [(second: Int64, aggregate: TrafficAggregate)] {
        if zip(seconds, seconds.dropFirst()).allSatisfy({ $0.second < $1.second }) { return seconds }
        var out: [(second: Int64, aggregate: TrafficAggregate)] = []
        for s in seconds.sorted(by: { $0.second < $1.second }) {
            if let last = out.last, last.second == s.second {
                out[out.count - 1].aggregate.merge(s.aggregate)
            } else {
                out.append(s)
            }
        }
        return out
    }

    /// Decodes what `encode()` made. Anything else (truncated, altered, another version, hostile)
    /// throws; it never traps, and never allocates more than the input's size allows.
    public init(decoding bytes: UnsafeRawBufferPointer) throws(AggregateDecodingError) {
        var r = ByteReader(bytes)
        for b in Self.magic { guard try r.byte() == b else { throw .badMagic } }
        let version = try r.byte()
        guard version == Self.currentVersion else { throw .unsupportedVersion(version) }
        formatVersion = version
        member = try r.string(maxBytes: Self.maxNameBytes, "member")
        topic = try r.string(maxBytes: Self.maxNameBytes, "topic")
        let p = try r.svarint()
        guard p >= 0, p <= Int64(Int32.max) else { throw .invalid("partition out of range") }
        partition = Int32(p)
        firstOffset = try r.svarint()
        nextOffset = try r.svarint()
        guard firstOffset >= 0, nextOffset >= firstOffset else { throw .invalid("offset range") }
        producedAt = try r.svarint()
        memberLag = try r.svarint()
        let reasons = try r.count(max: AggregateCodec.reasonCount, bytesEach: 2, "malformed reasons")
        var byReason: [MalformedReason: Int] = [:]
        var malformed = 0
        for _ in 0..<reasons {
            guard let reason = AggregateCodec.reason(try r.byte()) else { throw .invalid("unknown malformed reason") }
            let n = try r.int(max: AggregateCodec.maxCount, "malformed count")
            guard n > 0, byReason[reason] == nil else { throw .invalid("malformed reasons") }
            byReason[reason] = n
            malformed += n
        }
        malformedByReason = byReason
        // An aggregate takes at least 31 bytes (all zero, every list empty).
        let n = try r.count(max: .max / 64, bytesEach: 31, "seconds")
        var list: [(second: Int64, aggregate: TrafficAggregate)] = []
        list.reserveCapacity(n)
        var placed = 0
        for i in 0..<n {
            let second: Int64
            if i == 0 {
                second = try r.svarint()
            } else {
                let gap = try r.uvarint()
                guard gap < UInt64(1 << 40) else { throw .invalid("second out of range") }
                second = list[i - 1].second + 1 + Int64(gap)
            }
            guard Self.secondRange.contains(second) else { throw .invalid("second out of range") }
            let aggregate = try AggregateCodec.decodeAggregate(&r)
            placed += aggregate.malformed
            list.append((second, aggregate))
        }
        guard list.isEmpty || placed == malformed else { throw .invalid("malformed counts do not add up") }
        seconds = list
        try r.expectEnd()
    }

    /// Decodes what `encode()` made (see `init(decoding:)`).
    public init(decoding bytes: some Collection<UInt8>) throws(AggregateDecodingError) {
        self = try AggregateCodec.withBytes(bytes) { (raw) throws(AggregateDecodingError) in try MetricsPartial(decoding: raw) }
    }
}
