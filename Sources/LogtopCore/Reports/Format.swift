/// Small number formatting helpers (no Foundation).
public enum Format {
    /// A value with up to `decimals` decimals, trailing zeros trimmed: `12.5`, `3`, `0.25`.
    public static func number(_ v: Double, decimals: Int = 2) -> String {
        guard v.isFinite else { return v.isNaN ? "nan" : (v < 0 ? "-inf" : "inf") }
        let s = fixed(v, decimals: decimals)
        guard s.contains(".") else { return s }
        var t = Substring(s)
        while t.hasSuffix("0") { t = t.dropLast() }
        if t.hasSuffix(".") { t = t.dropLast() }
        return String(t)
    }

    /// A value with exactly `decimals` decimals: `12.50`.
    public static func fixed(_ v: Double, decimals: Int) -> String {
        guard v.isFinite else { return number(v) }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(v) * scale).rounded()
        guard scaled < 9e18 else { return String(v) }
        let n = Int64(scaled)
        let sign = v < 0 && n != 0 ? "-" : ""
        let whole = n / Int64(scale)
        guard decimals > 0 else { return sign + String(whole) }
        var frac = String(n % Int64(scale))
        while frac.count < decimals { frac = "0" + frac }
        return "\(sign)\(whole).\(frac)"
    }

    /// `1.2 KiB`, `3.4 MiB`, `512 B`.
    public static func bytes(_ v: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var x = Double(v)
        var u = 0
        while x >= 1024, u < units.count - 1 { x /= 1024; u += 1 }
        return u == 0 ? "\(v) B" : "\(fixed(x, decimals: 1)) \(units[u])"
    }

    /// Pads or cuts `s` to `width` characters.
    public static func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
        let c = s.count
        if c >= width { return String(s.prefix(width)) }
        let fill = String(repeating: " ", count: width - c)
        return right ? fill + s : s + fill
    }
}
