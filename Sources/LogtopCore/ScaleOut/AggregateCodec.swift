/// Why bytes could not be decoded as a `TrafficAggregate` or a `MetricsPartial`.
public enum AggregateDecodingError: Error, Equatable, Sendable {
    /// The input ends in the middle of a value.
    case truncated
    /// Not an encoding logtop writes (the leading bytes are wrong).
    case badMagic
    /// An encoding of a format version this build cannot read.
    case unsupportedVersion(UInt8)
    /// A value out of its range, or inconsistent with the others.
    case invalid(String)
    /// Bytes left over after a complete value.
    case trailingBytes(Int)
}

/// The binary encoding of `TrafficAggregate` and its sketches: what analyzers of a scale-out group
/// publish (inside `MetricsPartial`) and a reader merges.
///
/// Exact: a decoded aggregate has the figures of the original, and merging it (or merging into it)
/// gives what the original would give, including the top lists' heap order, which decides ties among
/// the keys to evict. Compact: integers are LEB128 varints (zigzag for signed values) and every list
/// is sparse. Keys are stored without their hash, which decoding computes again (`StableHash` is the
/// same in every process).
///
///     aggregate = requests bytes(signed) serverErrors malformed late
///                 statusCodes {codeGap count}          non-zero codes, ascending
///                 topK × 5                             paths clients referrers userAgents notFoundClients
///                 hll latency
///     topK      = capacity total maxCount n {keyLength key count error clientErrors serverErrors}
///                 [n heap slots, when n == capacity]   entries in slot order
///     hll       = 0 n {hash: 8 bytes LE}               exact set (at most 256 hashes), ascending
///               | 1 n {indexGap rank: 1 byte}          registers, the non-zero ones
///               | 2 rank: 1 byte × 16384               registers, all of them
///     latency   = bucketCount n {indexGap count} total max
///
/// A gap is the distance to the previous index minus one (the first: the index itself).
///
/// Decoding is safe against hostile bytes: every count is checked against its limit and against the
/// bytes left before anything is allocated for it, every index and rank against its range, keys must
/// be text as `Sanitizer` leaves it (nothing a terminal would interpret), a heap must be a permutation
/// of its slots in heap order, and status and latency counts must add up to their totals. Anything
/// else throws `AggregateDecodingError`.
enum AggregateCodec {
    /// Version of the standalone aggregate encoding (`TrafficAggregate.encoded()`).
    static let version: UInt8 = 1
    /// Largest count accepted: far above any second of traffic, low enough that sums of millions of
    /// decoded counts cannot overflow.
    static let maxCount = 1 << 40
    /// Largest top-list capacity accepted.
    static let maxCapacity = 1 << 20
    /// Longest key accepted (`Sanitizer` keeps about 512 bytes of a field).
    static let maxKeyBytes = 1 << 12

    // MARK: aggregate

    static func encode(_ a: TrafficAggregate, into w: inout ByteWriter) {
        w.uvarint(a.requests)
        w.svarint(a.bytes)
        w.uvarint(a.serverErrors)
        w.uvarint(a.malformed)
        w.uvarint(a.late)
        w.sparse(a.statusCounts)
        encode(a.paths, into: &w)
        encode(a.clients, into: &w)
        encode(a.referrers, into: &w)
        encode(a.userAgents, into: &w)
        encode(a.notFoundClients, into: &w)
        encode(a.uniqueClients, into: &w)
        encode(a.latency, into: &w)
    }

    static func decodeAggregate(_ r: inout ByteReader) throws(AggregateDecodingError) -> TrafficAggregate {
        let requests = try r.int(max: maxCount, "requests")
        let bytes = try r.svarint()
        let serverErrors = try r.int(max: maxCount, "server errors")
        let malformed = try r.int(max: maxCount, "malformed")
        let late = try r.int(max: maxCount, "late")
        // Codes 0 (outside 100...999) and 100...999.
        let codes = try r.count(max: 901, bytesEach: 2, "status codes")
        var statusCounts: [Int] = []
        var sum = 0, fives = 0
        if codes > 0 {
            statusCounts = [Int](repeating: 0, count: 1000)
            var code = -1
            for _ in 0..<codes {
                code += 1 + (try r.int(max: 999, "status code"))
                guard code < 1000, code == 0 || code >= 100 else { throw .invalid("status code out of range") }
                let n = try r.int(max: maxCount, "status count")
                guard n > 0 else { throw .invalid("zero status count") }
                statusCounts[code] = n
                sum += n
                if code >= 500 && code < 600 { fives += n }
            }
        }
        guard sum == requests, fives == serverErrors else { throw .invalid("status counts do not add up to the requests") }
        let paths = try decodeTopK(&r)
        let clients = try decodeTopK(&r)
        let referrers = try decodeTopK(&r)
        let userAgents = try decodeTopK(&r)
        let notFoundClients = try decodeTopK(&r)
        let uniqueClients = try decodeHyperLogLog(&r)
        let latency = try decodeLatency(&r)
        return TrafficAggregate(requests: requests, bytes: bytes, statusCounts: statusCounts, serverErrors: serverErrors,
                                paths: paths, clients: clients, referrers: referrers, userAgents: userAgents,
                                notFoundClients: notFoundClients, uniqueClients: uniqueClients, latency: latency,
                                malformed: malformed, late: late)
    }

    // MARK: top lists

    static func encode(_ k: TopK, into w: inout ByteWriter) {
        w.uvarint(k.capacity)
        w.uvarint(k.total)
        w.uvarint(k.maxCount)
        w.uvarint(k.slots.count)
        k.arena.withUnsafeBytes { keys in
            for s in k.slots {
                w.uvarint(Int(s.keyLength))
                w.append(UnsafeRawBufferPointer(rebasing: keys[s.keyStart..<(s.keyStart + Int(s.keyLength))]))
                w.uvarint(s.count)
                w.uvarint(s.error)
                w.uvarint(s.fours)
                w.uvarint(s.fives)
            }
        }
        if k.isFull { for slot in k.heap { w.uvarint(Int(slot)) } }
    }

    static func decodeTopK(_ r: inout ByteReader) throws(AggregateDecodingError) -> TopK {
        let capacity = try r.int(max: maxCapacity, "top list capacity")
        guard capacity > 0 else { throw .invalid("top list capacity 0") }
        let total = try r.int(max: maxCount, "top list total")
        let maxCount = try r.int(max: maxCount, "top list largest count")
        // Each entry takes at least 5 bytes: an empty key's length and four counts.
        let n = try r.count(max: capacity, bytesEach: 5, "top list entries")
        var k = TopK(restoringCapacity: capacity, total: total, maxCount: maxCount, entries: n)
        for _ in 0..<n {
            let key = try r.take(try r.int(max: maxKeyBytes, "key length"))
            let hash = try keyHash(key)
            let count = try r.int(max: self.maxCount, "top list count")
            let error = try r.int(max: self.maxCount, "top list error")
            let fours = try r.int(max: self.maxCount, "top list 4xx count")
            let fives = try r.int(max: self.maxCount, "top list 5xx count")
            guard k.restore(key, hash: hash, count: count, error: error, clientErrors: fours, serverErrors: fives) else {
                throw .invalid("duplicate key in a top list")
            }
        }
        if n == capacity {
            var order: [Int32] = []
            order.reserveCapacity(n)
            for _ in 0..<n { order.append(Int32(try r.int(max: n - 1, "top list heap slot"))) }
            guard k.restoreHeap(order) else { throw .invalid("top list heap out of order") }
        }
        return k
    }

    /// The `StableHash` of a decoded key, which must be text as `Sanitizer` makes it (printable ASCII,
    /// or valid UTF-8 without controls): a hostile key must not reach a terminal.
    static func keyHash(_ key: UnsafeRawBufferPointer) throws(AggregateDecodingError) -> UInt64 {
        let (hash, printable) = StableHash.scan(key, 0, key.count)
        if printable { return hash }
        let bytes = key.assumingMemoryBound(to: UInt8.self)
        guard Sanitizer.slowPath(bytes, limit: .max).utf8.elementsEqual(bytes) else {
            throw .invalid("top list key is not sanitised text")
        }
        return hash
    }

    // MARK: unique clients

    static func encode(_ h: HyperLogLog, into w: inout ByteWriter) {
        if let exact = h.exactHashes {
            w.byte(0)
            w.uvarint(exact.count)
            for v in exact.sorted() { w.uint64LE(v) }
            return
        }
        let registers = h.registers
        var nonZero = 0
        for r in registers where r != 0 { nonZero += 1 }
        if nonZero * 3 < registers.count {
            w.byte(1)
            w.uvarint(nonZero)
            var previous = -1
            for i in registers.indices where registers[i] != 0 {
                w.uvarint(i - previous - 1)
                w.byte(registers[i])
                previous = i
            }
        } else {
            w.byte(2)
            registers.withUnsafeBytes { w.append($0) }
        }
    }

    static func decodeHyperLogLog(_ r: inout ByteReader) throws(AggregateDecodingError) -> HyperLogLog {
        let m = HyperLogLog.registerCount
        switch try r.byte() {
        case 0:
            let n = try r.count(max: HyperLogLog.smallLimit, bytesEach: 8, "unique-client hashes")
            var h = HyperLogLog()
            for _ in 0..<n { h.insert(hash: try r.uint64LE()) }
            return h
        case 1:
            let n = try r.count(max: m, bytesEach: 2, "unique-client registers")
            var registers = [UInt8](repeating: 0, count: m)
            var i = -1
            for _ in 0..<n {
                i += 1 + (try r.int(max: m, "register index"))
                guard i < m else { throw .invalid("register index out of range") }
                let rank = try r.byte()
                guard rank >= 1, rank <= HyperLogLog.maxRank else { throw .invalid("register rank out of range") }
                registers[i] = rank
            }
            return HyperLogLog(registers: registers)
        case 2:
            let raw = try r.take(m)
            guard !raw.contains(where: { $0 > HyperLogLog.maxRank }) else { throw .invalid("register rank out of range") }
            return HyperLogLog(registers: Array(raw))
        case let mode:
            throw .invalid("unique-client sketch mode \(mode)")
        }
    }

    // MARK: latency

    static func encode(_ l: LatencyHistogram, into w: inout ByteWriter) {
        w.uvarint(l.counts.count)
        w.sparse(l.counts)
        w.uvarint(l.total)
        w.uvarint(Int(l.max))
    }

    static func decodeLatency(_ r: inout ByteReader) throws(AggregateDecodingError) -> LatencyHistogram {
        let length = try r.int(max: LatencyHistogram.bucketLimit, "latency buckets")
        let n = try r.count(max: length, bytesEach: 2, "latency counts")
        var counts = [UInt32](repeating: 0, count: length)
        var i = -1, sum = 0
        for _ in 0..<n {
            i += 1 + (try r.int(max: length, "latency bucket"))
            guard i < length else { throw .invalid("latency bucket out of range") }
            let c = try r.int(max: Int(UInt32.max), "latency count")
            guard c > 0 else { throw .invalid("zero latency count") }
            counts[i] = UInt32(c)
            sum += c
        }
        let total = try r.uvarint()
        guard total == UInt64(sum) else { throw .invalid("latency counts do not add up to the total") }
        let max = try r.int(max: Int(LatencyHistogram.maxValue), "latency max")
        return LatencyHistogram(counts: counts, total: sum, max: Int64(max))
    }

    // MARK: malformed reasons

    /// The code of `reason` in encodings (stable: never renumber, only add).
    static func code(_ reason: MalformedReason) -> UInt8 {
        switch reason {
        case .empty: 1
        case .tooLong: 2
        case .noTimestamp: 3
        case .badTimestamp: 4
        case .badStatus: 5
        case .badBytes: 6
        case .unterminatedQuote: 7
        case .badJSON: 8
        case .missingField: 9
        case .badLayout: 10
        }
    }

    static func reason(_ code: UInt8) -> MalformedReason? {
        switch code {
        case 1: .empty
        case 2: .tooLong
        case 3: .noTimestamp
        case 4: .badTimestamp
        case 5: .badStatus
        case 6: .badBytes
        case 7: .unterminatedQuote
        case 8: .badJSON
        case 9: .missingField
        case 10: .badLayout
        default: nil
        }
    }

    static let reasonCount = 10

    // MARK: input

    /// `body` over the bytes of `bytes`: in place when they are contiguous, else over a copy.
    static func withBytes<R>(_ bytes: some Collection<UInt8>,
                             _ body: (UnsafeRawBufferPointer) throws(AggregateDecodingError) -> R) throws(AggregateDecodingError) -> R {
        let inPlace = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(AggregateDecodingError) -> R in try body(UnsafeRawBufferPointer(buffer)) }
        }
        if let inPlace { return try inPlace.get() }
        let copy = Array(bytes).withUnsafeBytes { raw in
            Result { () throws(AggregateDecodingError) -> R in try body(raw) }
        }
        return try copy.get()
    }
}

extension TrafficAggregate {
    /// This aggregate in the binary encoding of `AggregateCodec`, after a version byte.
    public func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 512)
        w.byte(AggregateCodec.version)
        AggregateCodec.encode(self, into: &w)
        return w.bytes
    }

    /// Decodes what `encoded()` made. Anything else (truncated, altered, hostile) throws; it never
    /// traps, and never allocates more than the input's size allows.
    public init(decoding bytes: UnsafeRawBufferPointer) throws(AggregateDecodingError) {
        var r = ByteReader(bytes)
        let version = try r.byte()
        guard version == AggregateCodec.version else { throw .unsupportedVersion(version) }
        self = try AggregateCodec.decodeAggregate(&r)
        try r.expectEnd()
    }

    /// Decodes what `encoded()` made (see `init(decoding:)`).
    public init(decoding bytes: some Collection<UInt8>) throws(AggregateDecodingError) {
        self = try AggregateCodec.withBytes(bytes) { (raw) throws(AggregateDecodingError) in try TrafficAggregate(decoding: raw) }
    }
}
