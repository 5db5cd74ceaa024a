/// How far behind the newest event time records arrived: the disorder of the input, in seconds.
///
/// A record's lateness is the newest event time seen before it minus its own time (0 for a record
/// that is the newest so far). Counts are exact for lateness below 1,024 s (one counter per second,
/// allocated as far as needed); larger lateness is counted per power of two (the percentile of such
/// records is given as its bucket's upper bound, never above the largest seen). Mergeable, small.
public struct LatenessHistogram: Sendable, Equatable {
    static let exactBelow = 1_024
    /// Records counted.
    public private(set) var total = 0
    /// Largest lateness seen, seconds.
    public private(set) var max: Int64 = 0
    /// `perSecond[d]`: records `d` seconds late (grown as needed, at most `exactBelow` long).
    private var perSecond: [Int] = []
    /// `powers[b]`: records whose lateness has bit length `b` (at least `exactBelow`).
    private var powers: [Int] = []

    public init() {}

    /// Counts `weight` records that arrived `seconds` behind (values below 0 count as 0).
    @inline(__always)
    public mutating func record(_ seconds: Int64, weight: Int = 1) {
        guard weight > 0 else { return }
        total += weight
        let d = Swift.max(0, seconds)
        if d > max { max = d }
        if d < Int64(Self.exactBelow) {
            let i = Int(d)
            if i >= perSecond.count {
                perSecond.append(contentsOf: repeatElement(0, count: Swift.min(Self.exactBelow, Swift.max(16, 2 * (i + 1))) - perSecond.count))
            }
            perSecond[i] += weight
        } else {
            if powers.isEmpty { powers = [Int](repeating: 0, count: 64) }
            powers[64 - d.leadingZeroBitCount] += weight
        }
    }

    public mutating func merge(_ o: LatenessHistogram) {
        guard o.total > 0 else { return }
        total += o.total
        max = Swift.max(max, o.max)
        if o.perSecond.count > perSecond.count {
            perSecond.append(contentsOf: repeatElement(0, count: o.perSecond.count - perSecond.count))
        }
        for (i, n) in o.perSecond.enumerated() where n != 0 { perSecond[i] += n }
        if !o.powers.isEmpty {
            if powers.isEmpty { powers = [Int](repeating: 0, count: 64) }
            for (i, n) in o.powers.enumerated() where n != 0 { powers[i] += n }
        }
    }

    /// The lateness that a share `q` (0...1) of the records did not exceed (the `q` quantile by
    /// nearest rank), 0 when nothing was counted.
    public func percentile(_ q: Double) -> Int64 {
        guard total > 0 else { return 0 }
        let rank = Swift.max(1, Int((q * Double(total)).rounded(.up)))
        var seen = 0
        for (i, n) in perSecond.enumerated() {
            seen += n
            if seen >= rank { return Int64(i) }
        }
        for (b, n) in powers.enumerated() where n != 0 {
            seen += n
            if seen >= rank { return Swift.min(max, (Int64(1) << Int64(b)) - 1) }
        }
        return max
    }

    /// The 99th percentile.
    public var p99: Int64 { percentile(0.99) }
}
