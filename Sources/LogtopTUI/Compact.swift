import LogtopCore

/// Short number formats for narrow columns.
enum Compact {
    /// `12345`, `123.4k`, `1.23M`.
    static func count<T: BinaryInteger>(_ n: T) -> String {
        let v = Int64(clamping: n)
        if abs(v) < 100_000 { return String(v) }
        let d = Double(v)
        if abs(d) < 1e6 { return Format.fixed(d / 1e3, decimals: 1) + "k" }
        if abs(d) < 1e7 { return Format.fixed(d / 1e6, decimals: 2) + "M" }
        if abs(d) < 1e9 { return Format.fixed(d / 1e6, decimals: 1) + "M" }
        return Format.fixed(d / 1e9, decimals: 2) + "G"
    }

    /// A rate: `0.5`, `199.8`, `1234`, `12.3k`.
    static func rate(_ r: Double) -> String {
        guard r.isFinite else { return "-" }
        if r < 100 { return Format.number(r, decimals: 1) }
        if r < 1000 { return Format.fixed(r, decimals: 0) }
        return count(Int(r.rounded()))
    }

    /// A share 0...1 as `95.2%`, `100%`, `0%`.
    static func percent(_ f: Double) -> String {
        guard f.isFinite else { return "-" }
        if f <= 0 { return "0%" }
        if f >= 1 { return "100%" }
        let p = f * 100
        return (p < 10 ? Format.fixed(p, decimals: 1) : Format.fixed(p, decimals: 0)) + "%"
    }

    /// Milliseconds: `0.8 ms`, `12 ms`, `1.25 s`.
    static func millis(_ ms: Double) -> String {
        guard ms.isFinite else { return "-" }
        if ms < 10 { return Format.number(ms, decimals: 1) + " ms" }
        if ms < 1000 { return Format.fixed(ms, decimals: 0) + " ms" }
        return Format.number(ms / 1000, decimals: 2) + " s"
    }

    /// The smallest "nice" number (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k) at least `v`.
    static func niceCeiling(_ v: Double) -> Double {
        guard v > 0, v.isFinite else { return 1 }
        var scale = 1.0
        while scale * 10 <= v { scale *= 10 }
        while scale > v { scale /= 10 }
        for m in [1.0, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10] where m * scale >= v { return m * scale }
        return 10 * scale
    }

    /// `3s`, `1m05s`.
    static func seconds(_ s: Int) -> String {
        s < 60 ? "\(max(0, s))s" : "\(s / 60)m\(s % 60 < 10 ? "0" : "")\(s % 60)s"
    }
}
