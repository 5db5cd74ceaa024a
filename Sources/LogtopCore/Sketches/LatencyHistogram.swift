/// A high-dynamic-range latency histogram (HDR-style log-linear buckets) in microseconds.
///
/// Values below 128 µs are exact; above, each power of two is split into 64 buckets, so any
/// reported percentile is within 1.6 % of the true value. Covers 0 µs to 2^40 µs (12 days). Mergeable
/// by adding counts; memory grows only up to the largest value seen (at most 2.2 K buckets).
public struct LatencyHistogram: Sendable, Equatable {
    private(set) var counts: [UInt32] = []
    public private(set) var total: Int = 0
    public private(set) var max: Int64 = 0

    public init() {}

    /// A histogram from its parts (see `AggregateCodec`): `total` must be the sum of `counts`, and
    /// `counts` at most `bucketLimit` long.
    init(counts: [UInt32], total: Int, max: Int64) {
        self.counts = counts
        self.total = total
        self.max = max
    }

    static let subBits = 6
    static let maxValue: Int64 = 1 << 40
    /// Most buckets a histogram can use (the bucket of `maxValue` is the last).
    static let bucketLimit = index(maxValue) + 1

    @inline(__always)
    static func index(_ v: Int64) -> Int {
        if v < 128 { return Int(v) }
        let e = 63 - v.leadingZeroBitCount - subBits // v >> e in 64...127
        return 64 * e + Int(v >> Int64(e))
    }

    /// Upper bound (inclusive) of the values in bucket `i`.
    static func highest(_ i: Int) -> Int64 {
        if i < 128 { return Int64(i) }
        let e = i / 64 - 1
        let sub = Int64(i - 64 * e)
        return ((sub + 1) << Int64(e)) - 1
    }

    /// Empties it, keeping its storage.
    mutating func clear() {
        counts.removeAll(keepingCapacity: true)
        total = 0
        max = 0
    }

    /// Reserves room for as many buckets as `model` uses.
    mutating func reserve(like model: LatencyHistogram) {
        if counts.isEmpty { counts.reserveCapacity(model.counts.count) }
    }

    public mutating func record(micros: Int64) {
        let v = Swift.min(Swift.max(micros, 0), Self.maxValue)
        let i = Self.index(v)
        if i >= counts.count {
            // Room grows by doubling (buckets are added one slower value at a time).
            if i >= counts.capacity { counts.reserveCapacity(Swift.min(Self.bucketLimit, Swift.max(i + 1, 2 * counts.capacity))) }
            counts.append(contentsOf: repeatElement(0, count: i + 1 - counts.count))
        }
        counts[i] &+= 1
        total += 1
        if v > max { max = v }
    }

    public mutating func merge(_ other: LatencyHistogram) {
        if other.counts.count > counts.count {
            counts.append(contentsOf: repeatElement(0, count: other.counts.count - counts.count))
        }
        counts.withUnsafeMutableBufferPointer { mine in
            other.counts.withUnsafeBufferPointer { theirs in
                for i in theirs.indices { mine[i] &+= theirs[i] }
            }
        }
        total += other.total
        if other.max > max { max = other.max }
    }

    /// Takes away `other`, which must have been merged into this histogram before. `max` is kept:
    /// it is then only an upper bound, to be set again with `setMax`.
    mutating func subtract(_ other: LatencyHistogram) {
        let n = Swift.min(counts.count, other.counts.count)
        counts.withUnsafeMutableBufferPointer { mine in
            other.counts.withUnsafeBufferPointer { theirs in
                for i in 0..<n { mine[i] &-= theirs[i] }
            }
        }
        total -= other.total
    }

    /// Sets the largest value recorded (after `subtract`, from the largest of the parts left).
    mutating func setMax(_ value: Int64) { max = value }

    /// Values recorded in the buckets up to the one holding `micros`: the values at most `micros`,
    /// plus those above it in the same bucket (at most 1.6 % above). For cumulative histogram buckets.
    public func count(atMost micros: Int64) -> Int {
        guard micros >= 0 else { return 0 }
        let last = Swift.min(Self.index(Swift.min(micros, Self.maxValue)), counts.count - 1)
        var n = 0
        if last >= 0 { for i in 0...last { n += Int(counts[i]) } }
        return n
    }

    /// The sum of the values recorded, estimated from the middle of each bucket (within 1.6 %).
    public var estimatedSumMicros: Double {
        var sum = 0.0
        for (i, c) in counts.enumerated() where c > 0 {
            let low = i == 0 ? 0 : Self.highest(i - 1) + 1
            sum += Double(c) * (Double(low) + Double(Self.highest(i))) / 2
        }
        return sum
    }

    /// Value at quantile `q` (0...1) in microseconds, `nil` when empty.
    public func percentile(_ q: Double) -> Int64? {
        guard total > 0 else { return nil }
        let rank = Swift.max(1, Int((q * Double(total)).rounded(.up)))
        var seen = 0
        for (i, c) in counts.enumerated() where c > 0 {
            seen += Int(c)
            if seen >= rank { return Swift.min(Self.highest(i), max) }
        }
        return max
    }
}
