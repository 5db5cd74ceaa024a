/// Byte helpers of the parser: digits, numbers, and eight-bytes-at-a-time searches.
extension AccessLogParser {
    @inline(__always)
    static func digits(_ s: UnsafeBufferPointer<UInt8>, _ a: Int, _ count: Int) -> Int? {
        guard a + count <= s.count else { return nil }
        var v = 0
        for i in a..<(a + count) {
            let d = Int(s[i]) &- 0x30
            guard d >= 0, d <= 9 else { return nil }
            v = v * 10 + d
        }
        return v
    }

    @inline(__always)
    static func threeDigits(_ s: UnsafeBufferPointer<UInt8>, _ a: Int) -> Int? {
        guard let v = digits(s, a, 3), v >= 100 else { return nil }
        return v
    }

    /// Unsigned decimal, saturating at `Int64.max`.
    static func unsigned(_ s: UnsafeBufferPointer<UInt8>, _ a: Int, _ b: Int) -> Int64? {
        guard b > a else { return nil }
        var v: Int64 = 0
        if b - a <= 18 {
            // At most 18 digits: below 10^18, no overflow possible.
            for i in a..<b {
                let d = Int64(s[i]) &- 0x30
                guard d >= 0, d <= 9 else { return nil }
                v = v &* 10 &+ d
            }
            return v
        }
        for i in a..<b {
            let d = Int64(s[i]) &- 0x30
            guard d >= 0, d <= 9 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (r, o2) = m.addingReportingOverflow(d)
            v = (o1 || o2) ? Int64.max : r
        }
        return v
    }

    /// A decimal number with a fractional part (`0.012`, `12.5`) in seconds → microseconds.
    static func secondsToMicros(_ s: UnsafeBufferPointer<UInt8>, _ a: Int, _ b: Int) -> Int64? {
        var p = a
        var whole: Int64 = 0
        while p < b, s[p] >= 0x30, s[p] <= 0x39 {
            guard whole < 100_000_000_000 else { return nil }
            whole = whole * 10 + Int64(s[p] - 0x30)
            p += 1
        }
        guard p > a, p < b, s[p] == Ascii.dot else { return nil }
        p += 1
        var frac: Int64 = 0
        var scale: Int64 = 100_000
        let f0 = p
        while p < b, s[p] >= 0x30, s[p] <= 0x39 {
            frac += Int64(s[p] - 0x30) * scale
            scale /= 10
            p += 1
        }
        guard p == b, p > f0 else { return nil }
        return whole * 1_000_000 + frac
    }

    /// The token at `a` (up to the next space or the end of the line) read as `secondsToMicros` reads
    /// it, in one pass: its value (`nil` when it is not such a number) and where it ends.
    @inline(__always)
    static func secondsToken(_ s: UnsafeBufferPointer<UInt8>, _ a: Int) -> (micros: Int64?, end: Int) {
        let n = s.count
        var p = a
        @inline(__always) func tokenEnd(_ from: Int) -> Int {
            var q = from
            while q < n, s[q] != Ascii.space { q += 1 }
            return q
        }
        var whole: Int64 = 0
        while p < n {
            let d = s[p] &- 0x30
            guard d <= 9 else { break }
            guard whole < 100_000_000_000 else { return (nil, tokenEnd(p)) }
            whole = whole * 10 + Int64(d)
            p += 1
        }
        guard p > a, p < n, s[p] == Ascii.dot else { return (nil, tokenEnd(p)) }
        p += 1
        let f0 = p
        var frac: Int64 = 0
        var scale: Int64 = 100_000
        while p < n {
            let d = s[p] &- 0x30
            guard d <= 9 else { break }
            frac += Int64(d) * scale
            scale /= 10
            p += 1
        }
        guard p > f0, p == n || s[p] == Ascii.space else { return (nil, tokenEnd(p)) }
        return (whole * 1_000_000 + frac, p)
    }

    /// The high bit of each byte of the eight at `p` that may be `c` or `d` (SWAR: the lowest flagged
    /// byte is the first real match; flags above it may be false). The caller keeps `p + 8 <= s.count`.
    @inline(__always)
    static func matches(_ c: UInt8, _ d: UInt8, in s: UnsafeBufferPointer<UInt8>, at p: Int) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let w = UInt64(littleEndian: UnsafeRawPointer(s.baseAddress.unsafelyUnwrapped).loadUnaligned(fromByteOffset: p, as: UInt64.self))
        let x = w ^ (ones &* UInt64(c))
        let y = w ^ (ones &* UInt64(d))
        return ((x &- ones) & ~x | (y &- ones) & ~y) & 0x8080_8080_8080_8080
    }

    /// Index of the first `c` or `d` in `s[from..<to]`, or `to`; eight bytes at a time.
    @inline(__always)
    static func firstIndex(of c: UInt8, or d: UInt8, in s: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int {
        var p = from
        while p <= to &- 8 {
            let hit = matches(c, d, in: s, at: p)
            if hit != 0 { return p &+ hit.trailingZeroBitCount >> 3 }
            p &+= 8
        }
        while p < to, s[p] != c, s[p] != d { p &+= 1 }
        return p
    }

    /// Index of the closing `"` of a quoted field starting at `from`, skipping `\"` and `\\`.
    /// Eight bytes at a time: a word without `"` or `\` is skipped whole.
    @inline(__always)
    static func closingQuote(_ s: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        var p = from
        let n = s.count
        // Offsets stay far below Int.max (a line is at most `maxLineBytes`): wrapping arithmetic.
        while p <= n &- 8 {
            let hit = matches(Ascii.quote, Ascii.backslash, in: s, at: p)
            if hit == 0 { p &+= 8; continue }
            let i = p &+ hit.trailingZeroBitCount >> 3
            if s[i] == Ascii.quote { return i }
            p = i &+ 2
        }
        while p < n {
            let c = s[p]
            if c == Ascii.quote { return p }
            p += c == Ascii.backslash ? 2 : 1
        }
        return nil
    }

    @inline(__always)
    static func text(_ s: UnsafeBufferPointer<UInt8>, _ span: LineFields.Span) -> String {
        Sanitizer.string(UnsafeBufferPointer(rebasing: s[span.start..<span.end]))
    }

    /// The span `a..<b`, absent for empty and `-`.
    @inline(__always)
    static func optionalSpan(_ s: UnsafeBufferPointer<UInt8>, _ a: Int, _ b: Int) -> LineFields.Span {
        if b <= a || (b - a == 1 && s[a] == Ascii.dash) { return LineFields.Span() }
        return LineFields.Span(start: a, end: b)
    }

    @inline(__always)
    static func text(_ s: UnsafeBufferPointer<UInt8>, _ a: Int, _ b: Int) -> String {
        Sanitizer.string(UnsafeBufferPointer(rebasing: s[a..<b]))
    }

    /// Text, or `nil` for empty and `-`.
    @inline(__always)
    static func optionalText(_ s: UnsafeBufferPointer<UInt8>, _ a: Int, _ b: Int) -> String? {
        if b <= a || (b - a == 1 && s[a] == Ascii.dash) { return nil }
        return text(s, a, b)
    }
}
