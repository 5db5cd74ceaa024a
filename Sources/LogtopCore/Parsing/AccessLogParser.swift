/// Parses access-log lines from bytes, detecting the format of each line.
///
/// Understands Apache/nginx *combined* and *common* formats, an optional `%v:%p` virtual-host
/// prefix, optional trailing fields after the user agent (the first unquoted decimal number, such as
/// nginx's `$request_time`, is taken as the request time in seconds), and nginx JSON lines. Works on
/// bytes: no Foundation, no date formatter. Never traps on any input.
public struct AccessLogParser: Sendable {
    /// Which format to expect; `.auto` detects per line.
    public var format: LogFormat
    /// Keep `?query` on paths (stripped by default so that `/a?x=1` and `/a?x=2` count together).
    public var keepQuery: Bool
    /// Lines longer than this are reported as `.tooLong` without being parsed.
    public static let maxLineBytes = 4 << 20

    private var cachedStamp: (a: UInt64, b: UInt64, c: UInt64, d: UInt16, value: Int64) = (0, 0, 0, 0, Int64.min)
    /// The strings made last for the fields that repeat most (see `RecentStrings`).
    private var recentMethods = RecentStrings(size: 8)
    private var recentPaths = RecentStrings(size: 64)
    private var recentProtocols = RecentStrings(size: 4)
    private var recentReferrers = RecentStrings(size: 64)
    private var recentAgents = RecentStrings(size: 64)
    private var recentHosts = RecentStrings(size: 8)

    public init(format: LogFormat = .auto, keepQuery: Bool = false) {
        self.format = format
        self.keepQuery = keepQuery
    }

    /// Parse one line given as a string.
    public mutating func parse(_ line: String) -> ParseOutcome {
        var copy = line
        return copy.withUTF8 { parse($0) }
    }

    /// Parse one line given as bytes (without or with its trailing newline).
    public mutating func parse(_ raw: UnsafeBufferPointer<UInt8>) -> ParseOutcome {
        var fields = LineFields()
        switch scan(raw, into: &fields) {
        case .fields(let line): return .record(record(fields, line))
        case .json(let line): return parseJSON(line)
        case .malformed(let reason): return .malformed(reason)
        }
    }

    /// What `scan` found.
    enum Scan {
        /// A common/combined line, trimmed: `LineFields` are byte ranges of it.
        case fields(UnsafeBufferPointer<UInt8>)
        /// An nginx JSON line, trimmed, not parsed yet.
        case json(UnsafeBufferPointer<UInt8>)
        case malformed(MalformedReason)
    }

    /// Finds the fields of a common/combined line without making any `String` (JSON lines are only
    /// recognised).
    mutating func scan(_ raw: UnsafeBufferPointer<UInt8>, into fields: inout LineFields) -> Scan {
        if raw.count > Self.maxLineBytes { return .malformed(.tooLong) }
        var start = 0
        var end = raw.count
        while end > start, raw[end - 1] == 0x0A || raw[end - 1] == 0x0D || raw[end - 1] == 0x20 || raw[end - 1] == 0x09 { end -= 1 }
        while start < end, raw[start] == 0x20 || raw[start] == 0x09 { start += 1 }
        if start == end { return .malformed(.empty) }
        let line = UnsafeBufferPointer(rebasing: raw[start..<end])
        let expect: LogFormat?
        switch format {
        case .nginxJSON: return .json(line)
        case .auto:
            if line[0] == UInt8(ascii: "{") { return .json(line) }
            expect = nil
        case .combined, .common, .vcombined: expect = format
        }
        if let reason = scanCLF(line, expect: expect, into: &fields) { return .malformed(reason) }
        return .fields(line)
    }

    /// The record of a scanned line: every text field through `Sanitizer` (or the same text made for
    /// an earlier line).
    mutating func record(_ f: LineFields, _ s: UnsafeBufferPointer<UInt8>) -> LogRecord {
        // Every field made first, the record once (assigning fields of a built record copies it).
        let client = Self.text(s, f.client)
        let referrer = f.referrer.isPresent ? recentReferrers.string(s, f.referrer.start, f.referrer.end) : nil
        let agent = f.agent.isPresent ? recentAgents.string(s, f.agent.start, f.agent.end) : nil
        let vhost = f.vhost.isPresent ? recentHosts.string(s, f.vhost.start, f.vhost.end) : nil
        let method = f.method.isPresent ? recentMethods.string(s, f.method.start, f.method.end) : nil
        let path = f.method.isPresent ? recentPaths.string(s, f.path.start, f.path.end) : nil
        let proto = f.method.isPresent && f.proto.isPresent ? recentProtocols.string(s, f.proto.start, f.proto.end) : nil
        return LogRecord(client: client, time: f.time, method: method, path: path, proto: proto, status: f.status,
                         bytes: f.bytes, referrer: referrer, userAgent: agent,
                         requestTimeMicros: f.micros >= 0 ? f.micros : nil, vhost: vhost)
    }

    // MARK: - Common / combined / vcombined

    /// Fills `f` from a common/combined/vcombined line; returns why the line is malformed, if it is.
    private mutating func scanCLF(_ s: UnsafeBufferPointer<UInt8>, expect: LogFormat?, into f: inout LineFields) -> MalformedReason? {
        let n = s.count
        var p = 0
        // Up to four space-separated tokens before "[" (kept in locals: no allocation per line).
        var count = 0
        var first = (0, 0), second = (0, 0)
        while p < n, s[p] != Ascii.lbracket {
            let t0 = p
            p = Self.firstIndex(of: Ascii.space, or: Ascii.space, in: s, from: p, to: n)
            if count == 0 { first = (t0, p) } else if count == 1 { second = (t0, p) }
            count += 1
            while p < n, s[p] == Ascii.space { p += 1 }
            if count > 4 { return .badLayout }
        }
        guard p < n else { return .noTimestamp }
        switch count {
        case 3 where expect != .vcombined: f.client = .init(start: first.0, end: first.1)
        case 4 where expect == nil || expect == .vcombined:
            f.client = .init(start: second.0, end: second.1)
            f.vhost = .init(start: first.0, end: first.1)
        default: return .badLayout
        }
        // [dd/Mon/yyyy:HH:MM:SS +hhmm]
        p += 1
        if p + 26 < n, s[p + 26] == Ascii.rbracket, let t = cachedTime(s, p) {
            // The same stamp as the previous line (it holds no "]": it was parsed).
            f.time = t
            p += 26
        } else {
            let stampStart = p
            while p < n, s[p] != Ascii.rbracket { p += 1 }
            guard p < n else { return .badTimestamp }
            guard let time = clfTime(s, stampStart, p) else { return .badTimestamp }
            f.time = time
        }
        p += 1
        guard p < n, s[p] == Ascii.space else { return .badLayout }
        p += 1
        // "request"
        guard p < n, s[p] == Ascii.quote else { return .badLayout }
        guard let reqEnd = Self.closingQuote(s, from: p + 1) else { return .unterminatedQuote }
        let reqStart = p + 1
        p = reqEnd + 1
        // status
        guard p < n, s[p] == Ascii.space else { return .badLayout }
        p += 1
        guard p + 3 <= n, let status = Self.threeDigits(s, p), p + 3 == n || s[p + 3] == Ascii.space else {
            return .badStatus
        }
        f.status = status
        p += 3
        // bytes
        if p < n {
            p += 1
            // Digits read as they are found (one pass; `unsigned` saturates the rare longer ones).
            let b0 = p
            var v: Int64 = 0
            while p < n {
                let d = s[p] &- 0x30
                guard d <= 9 else { break }
                v = v &* 10 &+ Int64(d)
                p += 1
            }
            if p < n, s[p] != Ascii.space {
                guard p == b0, s[p] == Ascii.dash, p + 1 == n || s[p + 1] == Ascii.space else { return .badBytes }
                f.bytes = 0
                p += 1
            } else {
                guard p > b0 else { return .badBytes }
                if p - b0 > 18 {
                    guard let saturated = Self.unsigned(s, b0, p) else { return .badBytes }
                    v = saturated
                }
                f.bytes = v
            }
        } else {
            return .missingField
        }
        while p < n, s[p] == Ascii.space { p += 1 }
        if p < n, s[p] == Ascii.quote, expect != .common {
            guard let e = Self.closingQuote(s, from: p + 1) else { return .unterminatedQuote }
            f.referrer = Self.optionalSpan(s, p + 1, e)
            p = e + 1
            while p < n, s[p] == Ascii.space { p += 1 }
            if p < n, s[p] == Ascii.quote {
                guard let e2 = Self.closingQuote(s, from: p + 1) else { return .unterminatedQuote }
                f.agent = Self.optionalSpan(s, p + 1, e2)
                p = e2 + 1
            }
        } else if expect == .combined || expect == .vcombined {
            return .missingField
        }
        // Trailing fields: the first unquoted decimal number is the request time in seconds.
        while p < n {
            while p < n, s[p] == Ascii.space { p += 1 }
            guard p < n else { break }
            if s[p] == Ascii.quote {
                guard let e = Self.closingQuote(s, from: p + 1) else { break }
                p = e + 1
                continue
            }
            if f.micros < 0 {
                let (micros, end) = Self.secondsToken(s, p)
                f.micros = micros ?? -1
                p = end
            } else {
                while p < n, s[p] != Ascii.space { p += 1 }
            }
        }
        splitRequest(s, reqStart, reqEnd, into: &f)
        return nil
    }

    /// The time of a 26-byte stamp at `a` if it is the one parsed last.
    @inline(__always)
    private func cachedTime(_ s: UnsafeBufferPointer<UInt8>, _ a: Int) -> Int64? {
        guard cachedStamp.value != Int64.min else { return nil }
        let raw = UnsafeRawPointer(s.baseAddress.unsafelyUnwrapped + a)
        guard raw.loadUnaligned(as: UInt64.self) == cachedStamp.a,
              raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self) == cachedStamp.b,
              raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self) == cachedStamp.c,
              raw.loadUnaligned(fromByteOffset: 24, as: UInt16.self) == cachedStamp.d else { return nil }
        return cachedStamp.value
    }

    /// Parses `10/Oct/2000:13:55:36 -0700` into Unix seconds UTC; caches the last stamp.
    private mutating func clfTime(_ s: UnsafeBufferPointer<UInt8>, _ a: Int, _ b: Int) -> Int64? {
        guard b - a == 26 else { return Self.clfTimeSlow(s, a, b) }
        let raw = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: s[a..<b]))
        let k0 = raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
        let k1 = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        let k2 = raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
        let k3 = raw.loadUnaligned(fromByteOffset: 24, as: UInt16.self)
        if cachedStamp.value != Int64.min, k0 == cachedStamp.a, k1 == cachedStamp.b, k2 == cachedStamp.c, k3 == cachedStamp.d {
            return cachedStamp.value
        }
        guard let v = Self.clfTimeSlow(s, a, b) else { return nil }
        cachedStamp = (k0, k1, k2, k3, v)
        return v
    }

    static func clfTimeSlow(_ s: UnsafeBufferPointer<UInt8>, _ a: Int, _ b: Int) -> Int64? {
        // dd/Mon/yyyy:HH:MM:SS[ +hhmm]
        guard b - a >= 20 else { return nil }
        guard let day = digits(s, a, 2), s[a + 2] == Ascii.slash,
              let month = monthIndex(s[a + 3], s[a + 4], s[a + 5]), s[a + 6] == Ascii.slash,
              let year = digits(s, a + 7, 4), s[a + 11] == Ascii.colon,
              let hh = digits(s, a + 12, 2), s[a + 14] == Ascii.colon,
              let mm = digits(s, a + 15, 2), s[a + 17] == Ascii.colon,
              let ss = digits(s, a + 18, 2) else { return nil }
        var offset = 0
        if b - a >= 26, s[a + 20] == Ascii.space {
            guard let tz = tzOffset(s, a + 21, b) else { return nil }
            offset = tz
        } else if b - a != 20 {
            return nil
        }
        guard (1...31).contains(day), hh < 24, mm < 60, ss <= 60 else { return nil }
        let days = CivilTime.daysFromCivil(year: year, month: month, day: day)
        return Int64(days) * 86_400 + Int64(hh * 3600 + mm * 60 + ss) - Int64(offset)
    }

    /// `+hhmm`, `-hhmm` or `+hh:mm` → seconds east of UTC.
    static func tzOffset(_ s: UnsafeBufferPointer<UInt8>, _ a: Int, _ b: Int) -> Int? {
        guard b - a == 5 || b - a == 6 else { return nil }
        let sign: Int
        switch s[a] {
        case Ascii.plus: sign = 1
        case Ascii.dash: sign = -1
        default: return nil
        }
        guard let h = digits(s, a + 1, 2) else { return nil }
        let mStart = b - a == 6 ? a + 4 : a + 3
        if b - a == 6, s[a + 3] != Ascii.colon { return nil }
        guard let m = digits(s, mStart, 2), h <= 14, m < 60 else { return nil }
        return sign * (h * 3600 + m * 60)
    }

    static func monthIndex(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Int? {
        let key = (UInt32(a | 0x20) << 16) | (UInt32(b | 0x20) << 8) | UInt32(c | 0x20)
        switch key {
        case 0x6A616E: return 1  // jan
        case 0x666562: return 2  // feb
        case 0x6D6172: return 3  // mar
        case 0x617072: return 4  // apr
        case 0x6D6179: return 5  // may
        case 0x6A756E: return 6  // jun
        case 0x6A756C: return 7  // jul
        case 0x617567: return 8  // aug
        case 0x736570: return 9  // sep
        case 0x6F6374: return 10 // oct
        case 0x6E6F76: return 11 // nov
        case 0x646563: return 12 // dec
        default: return nil
        }
    }

    /// Splits `METHOD target PROTO`; garbage leaves method and path absent.
    func splitRequest(_ s: UnsafeBufferPointer<UInt8>, _ a: Int, _ b: Int, into f: inout LineFields) {
        var p = a
        while p < b, Self.isMethodByte(s[p]) { p += 1 }
        let methodEnd = p
        guard methodEnd > a, methodEnd - a <= 24, p < b, s[p] == Ascii.space else { return }
        while p < b, s[p] == Ascii.space { p += 1 }
        let targetStart = p
        // The protocol is the last token when it starts with "HTTP/".
        var targetEnd = b
        var proto = LineFields.Span()
        var q = b
        while q > targetStart, s[q - 1] != Ascii.space { q -= 1 }
        if q > targetStart, b - q >= 5, s[q] == 0x48, s[q + 1] == 0x54, s[q + 2] == 0x54, s[q + 3] == 0x50, s[q + 4] == Ascii.slash {
            proto = .init(start: q, end: b)
            targetEnd = q
            while targetEnd > targetStart, s[targetEnd - 1] == Ascii.space { targetEnd -= 1 }
        }
        guard targetEnd > targetStart else { return }
        if !keepQuery {
            let k = Self.firstIndex(of: Ascii.question, or: Ascii.hash, in: s, from: targetStart, to: targetEnd)
            if k > targetStart { targetEnd = k }
        }
        f.method = .init(start: a, end: methodEnd)
        f.path = .init(start: targetStart, end: targetEnd)
        f.proto = proto
    }

    /// Splits `METHOD target PROTO` into the record; garbage leaves method and path `nil`.
    func splitRequest(_ s: UnsafeBufferPointer<UInt8>, _ a: Int, _ b: Int, into record: inout LogRecord) {
        var f = LineFields()
        splitRequest(s, a, b, into: &f)
        guard f.method.isPresent else { return }
        record.method = Self.text(s, f.method)
        record.path = Self.text(s, f.path)
        record.proto = f.proto.isPresent ? Self.text(s, f.proto) : nil
    }

    @inline(__always)
    static func isMethodByte(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == Ascii.dash || c == 0x5F
    }

}

/// Byte constants.
@usableFromInline
enum Ascii {
    static let space: UInt8 = 0x20, quote: UInt8 = 0x22, hash: UInt8 = 0x23, plus: UInt8 = 0x2B, dash: UInt8 = 0x2D
    static let dot: UInt8 = 0x2E, slash: UInt8 = 0x2F, colon: UInt8 = 0x3A, question: UInt8 = 0x3F
    static let lbracket: UInt8 = 0x5B, backslash: UInt8 = 0x5C, rbracket: UInt8 = 0x5D
}
