/// A small, fast, seeded pseudo-random generator (Steele, Lea & Flood's SplitMix64).
///
/// The same seed always yields the same sequence, on every platform and Swift version,
/// as long as callers draw through the helpers below rather than the standard library's
/// `random(in:using:)`, whose algorithms are not guaranteed to stay the same.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The internal state; advances by a fixed odd constant on every draw.
    public private(set) var state: UInt64

    /// A generator whose sequence is fully determined by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SplitMix64 {
    /// Uniform in `0 ..< 1`, 53 bits of precision.
    @inlinable mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in `0 ..< n` (Lemire's multiply-high; the tiny bias is irrelevant here).
    @inlinable mutating func below(_ n: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// Uniform in `range`.
    @inlinable mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.count)
    }

    /// `true` with probability `p`.
    @inlinable mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// One element of a non-empty array, uniformly.
    @inlinable mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// Approximately standard normal: the Irwin–Hall sum of six uniforms, rescaled
    /// (tails end at ±4.2 σ, which is plenty for synthetic traffic).
    mutating func gaussian() -> Double {
        var sum = 0.0
        for _ in 0..<6 { sum += unit() }
        return (sum - 3) * 2.0.squareRoot()
    }

    /// Log-normal with the given median and shape `sigma` (of the underlying normal).
    mutating func logNormal(median: Double, sigma: Double) -> Double {
        median * naturalExp(sigma * gaussian())
    }
}

/// `e^x` without Foundation: range reduction to `x = k·ln 2 + r`, `|r| ≤ ln2/2`, then a
/// degree-10 Taylor polynomial for `e^r` (relative error below 1e-12).
func naturalExp(_ x: Double) -> Double {
    let ln2 = 0.693_147_180_559_945_3
    let k = (x / ln2).rounded()
    let r = x - k * ln2
    var term = 1.0, sum = 1.0
    for i in 1...10 {
        term *= r / Double(i)
        sum += term
    }
    return Double(sign: .plus, exponent: Int(k), significand: sum)
}
