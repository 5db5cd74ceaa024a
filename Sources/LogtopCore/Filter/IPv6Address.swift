/// A 128-bit IPv6 address, parsed from its text form (RFC 4291 section 2.2): eight groups of one to four
/// hex digits (either case) separated by `:`, one `::` standing for one or more groups of zeros
/// (`2001:db8::1`, `::1`, `fe80::`, `::`), and the last 32 bits optionally as a dotted quad
/// (`::ffff:10.0.0.1`). No zone (`%eth0`) and no brackets: a client of an access log is written bare.
///
/// Written here (LogtopCore imports nothing, so no `inet_pton`). Parsing reads the UTF-8 bytes in place
/// and allocates nothing: a filter's `client:` block tests every line's client with it.
struct IPv6Address: Equatable, Sendable {
    /// Bits 0–63 (the first four groups) and 64–127.
    var high: UInt64
    var low: UInt64

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// `text` as an address, or nil when it is not one (an IPv4 address, a host name, a bad form).
    init?(_ text: String) {
        guard case .success(let a) = Self.parse(text) else { return nil }
        self = a
    }

    /// `text` as an address, or where and why it is not one.
    static func parse(_ text: String) -> Result<IPv6Address, ParseError> {
        var text = text  // withUTF8 reads a native string in place (a short one from the stack)
        return text.withUTF8 { bytes in
            do throws(ParseError) { return .success(try parse(bytes)) } catch { return .failure(error) }
        }
    }

    /// The mask of a block `/bits` (0...128): its first `bits` bits set.
    static func mask(bits: Int) -> IPv6Address {
        precondition((0...128).contains(bits))
        func ones(_ n: Int) -> UInt64 { n <= 0 ? 0 : n >= 64 ? ~0 : ~0 << UInt64(64 - n) }
        return IPv6Address(high: ones(bits), low: ones(bits - 64))
    }

    static func & (a: IPv6Address, b: IPv6Address) -> IPv6Address {
        IPv6Address(high: a.high & b.high, low: a.low & b.low)
    }

    /// Why a text is not an address, and at which byte of it.
    struct ParseError: Error, Equatable, Sendable {
        enum Reason: Equatable, Sendable {
            case empty, notHex, groupTooLong, lonelyColon, tripleColon, secondDoubleColon, tooManyGroups,
                 tooFewGroups, doubleColonWithEightGroups, badIPv4, ipv4NotLast
        }
        var reason: Reason
        /// Byte offset in the text (the texts are ASCII when they parse this far, so also a character offset).
        var offset: Int

        var message: String {
            switch reason {
            case .empty: "expected an IPv6 address before '/'"
            case .notHex: "expected a hex digit, ':' or '.' in an IPv6 address"
            case .groupTooLong: "an IPv6 group has at most 4 hex digits"
            case .lonelyColon: "a single ':' at either end of an IPv6 address (use '::')"
            case .tripleColon: "':::' in an IPv6 address: '::' is the only run of colons"
            case .secondDoubleColon: "a second '::' in an IPv6 address (one at most)"
            case .tooManyGroups: "more than 8 groups in an IPv6 address"
            case .tooFewGroups: "fewer than 8 groups in an IPv6 address without '::'"
            case .doubleColonWithEightGroups: "'::' stands for at least one group, and this address has 8 without it"
            case .badIPv4: "expected an IPv4 address such as 10.0.0.1 as the last 32 bits"
            case .ipv4NotLast: "an embedded IPv4 address must come last, after at most 6 groups"
            }
        }
    }

    /// Parses the ASCII text in `s`; throws where and why it is not an address.
    static func parse(_ s: UnsafeBufferPointer<UInt8>) throws(ParseError) -> IPv6Address {
        let colon = UInt8(ascii: ":"), dot = UInt8(ascii: ".")
        let n = s.count
        guard n > 0 else { throw ParseError(reason: .empty, offset: 0) }
        // Groups before `::` go into `head`, after it into `tail`; `::` fills the middle with zeros.
        var head: (UInt64, UInt64) = (0, 0), tail: (UInt64, UInt64) = (0, 0)
        var headCount = 0, tailCount = 0
        var doubleColonAt = -1
        var i = 0
        if s[0] == colon {
            guard n > 1, s[1] == colon else { throw ParseError(reason: .lonelyColon, offset: 0) }
            doubleColonAt = 0
            i = 2
            if i < n, s[i] == colon { throw ParseError(reason: .tripleColon, offset: i) }
        }
        while i < n {
            let groupStart = i
            var value: UInt64 = 0
            var digits = 0
            while i < n, let d = ASCIIDigits.hex(s[i]) {
                digits += 1
                value = value << 4 | UInt64(d)
                i += 1
            }
            if i < n, s[i] == dot {
                // The last 32 bits as a dotted quad: from this group's start to the end.
                let groups = headCount + tailCount
                guard groups <= 6 else { throw ParseError(reason: .ipv4NotLast, offset: groupStart) }
                guard let v4 = ipv4(s, from: groupStart) else { throw ParseError(reason: .badIPv4, offset: groupStart) }
                let hi = UInt64(v4 >> 16), lo = UInt64(v4 & 0xffff)
                if doubleColonAt >= 0 {
                    append(hi, to: &tail, &tailCount); append(lo, to: &tail, &tailCount)
                } else {
                    append(hi, to: &head, &headCount); append(lo, to: &head, &headCount)
                }
                i = n
                break
            }
            guard digits > 0 else { throw ParseError(reason: .notHex, offset: i) }
            guard digits <= 4 else { throw ParseError(reason: .groupTooLong, offset: groupStart) }
            guard headCount + tailCount < 8 else { throw ParseError(reason: .tooManyGroups, offset: groupStart) }
            if doubleColonAt >= 0 { append(value, to: &tail, &tailCount) } else { append(value, to: &head, &headCount) }
            guard i < n else { break }
            guard s[i] == colon else { throw ParseError(reason: .notHex, offset: i) }
            i += 1
            if i == n { throw ParseError(reason: .lonelyColon, offset: i - 1) }
            if s[i] == colon {
                guard doubleColonAt < 0 else { throw ParseError(reason: .secondDoubleColon, offset: i - 1) }
                doubleColonAt = i - 1
                i += 1
                if i < n, s[i] == colon { throw ParseError(reason: .tripleColon, offset: i) }
            }
        }
        let groups = headCount + tailCount
        if doubleColonAt < 0 {
            guard groups == 8 else { throw ParseError(reason: .tooFewGroups, offset: n) }
            return IPv6Address(high: head.0, low: head.1)
        }
        guard groups < 8 else { throw ParseError(reason: .doubleColonWithEightGroups, offset: doubleColonAt) }
        // `head` holds its groups in its lowest bits, in order: move them to the top.
        let h = shiftedLeft(head, by: (8 - headCount) * 16)
        return IPv6Address(high: h.0 | tail.0, low: h.1 | tail.1)
    }

    /// Shifts a 16-bit group in at the right of a 128-bit value (`high`, `low`).
    private static func append(_ group: UInt64, to v: inout (UInt64, UInt64), _ count: inout Int) {
        v = (v.0 << 16 | v.1 >> 48, v.1 << 16 | group)
        count += 1
    }

    private static func shiftedLeft(_ v: (UInt64, UInt64), by bits: Int) -> (UInt64, UInt64) {
        if bits == 0 { return v }
        if bits >= 128 { return (0, 0) }
        if bits >= 64 { return (v.1 << UInt64(bits - 64), 0) }
        return (v.0 << UInt64(bits) | v.1 >> UInt64(64 - bits), v.1 << UInt64(bits))
    }

    /// A dotted quad filling `s[from...]` exactly: four decimal numbers 0–255, one to three digits each.
    private static func ipv4(_ s: UnsafeBufferPointer<UInt8>, from: Int) -> UInt32? {
        var v: UInt32 = 0
        var i = from
        for part in 0..<4 {
            if part > 0 {
                guard i < s.count, s[i] == UInt8(ascii: ".") else { return nil }
                i += 1
            }
            var n: UInt32 = 0, digits = 0
            while i < s.count, s[i] >= UInt8(ascii: "0"), s[i] <= UInt8(ascii: "9"), digits < 3 {
                n = n * 10 + UInt32(s[i] - UInt8(ascii: "0"))
                digits += 1
                i += 1
            }
            guard digits > 0, n <= 255 else { return nil }
            v = v << 8 | n
        }
        return i == s.count ? v : nil
    }
}
