/// A filter of requests (`--filter`, the dashboard's `/`): terms separated by spaces, all of which must
/// hold (AND), each negated by a leading `!`.
///
/// | term | matches |
/// | --- | --- |
/// | `status:404`, `status:5xx`, `status:>=400` (`>`, `<`, `<=`) | the status code |
/// | `path:/api/*`, `path:/login` | the path: a glob (`*` any run, `?` one character) or the exact path |
/// | `path~^/api/v[0-9]+/` | a regular expression found in the path (case-insensitive) |
/// | `client:1.2.3.4`, `client:10.0.0.0/8`, `client:2001:db8::/32` | the client: exact, a glob, or an IPv4 or IPv6 CIDR block |
/// | `method:POST` | the method (case-insensitive) |
/// | `ua:*curl*`, `ua~bot` | the user agent (glob or regex, case-insensitive) |
/// | `vhost:shop.example.com`, `referrer:*google*` (`ref`) | the virtual host (on any port, or with it: `vhost:shop.example.com:443`), the referrer |
///
/// Every field takes `:` (exact or glob; a CIDR for `client`), `=` (exactly the value as written:
/// case kept, `*` and `?` are themselves: `ua="Googlebot/2.1"`, what a drill-down uses) and `~` (regex),
/// except `status` (`:` only). A value with spaces is quoted: `ua:"Mozilla/5.0 *"`. A request without
/// the field (no user agent, no vhost) matches no positive term on it. Pure: parse once, then `matches`
/// per record.
public struct LineFilter: Sendable, Equatable {
    /// The expression as given.
    public let text: String
    let terms: [Term]

    public static func == (a: LineFilter, b: LineFilter) -> Bool { a.text == b.text }

    enum Field: String, Sendable, CaseIterable {
        case status, path, client, method, ua, vhost, referrer
    }

    enum Test: @unchecked Sendable {
        case status(ClosedRange<Int>)
        case exact(String, ignoreCase: Bool)
        case glob([Character], ignoreCase: Bool)
        case cidr(UInt32, mask: UInt32)
        case cidr6(IPv6Address, mask: IPv6Address)
        case regex(Regex<AnyRegexOutput>)
    }

    struct Term: Sendable {
        var field: Field
        var negated: Bool
        var test: Test
    }

    /// Parses `text`; throws a `FilterError` that says where it is wrong.
    public init(_ text: String) throws(FilterError) {
        self.text = text
        terms = try Self.parse(text)
    }

    /// Whether the line passes every term, parsed with `parser` (a malformed line never does).
    public func matches(line: UnsafeBufferPointer<UInt8>, parser: inout AccessLogParser) -> Bool {
        guard case .record(let r) = parser.parse(line) else { return false }
        return matches(r)
    }

    /// Whether `r` passes every term.
    public func matches(_ r: LogRecord) -> Bool {
        for t in terms where Self.holds(t, r) == t.negated { return false }
        return true
    }

    static func holds(_ t: Term, _ r: LogRecord) -> Bool {
        let value: String?
        switch t.field {
        case .status:
            if case .status(let range) = t.test { return range.contains(r.status) }
            return false
        case .path: value = r.path
        case .client: value = r.client
        case .method: value = r.method
        case .ua: value = r.userAgent
        case .vhost: value = r.vhost
        case .referrer: value = r.referrer
        }
        guard let value else { return false }
        if test(t.test, value) { return true }
        // A virtual host of Apache's vcombined comes with its port (`%v:%p`): `vhost:shop.example.com`
        // is that host on any port.
        if t.field == .vhost, let host = withoutPort(value) { return test(t.test, host) }
        return false
    }

    /// `host` of `host:port` (digits after the last colon); nil when `value` has no port.
    static func withoutPort(_ value: String) -> String? {
        guard let colon = value.lastIndex(of: ":") else { return nil }
        let port = value[value.index(after: colon)...]
        let host = value[..<colon]
        guard !port.isEmpty, port.allSatisfy({ $0.isASCII && $0.isNumber }), !host.isEmpty, host.last != ":" else { return nil }
        return String(host)
    }

    static func test(_ test: Test, _ value: String) -> Bool {
        switch test {
        case .status: return false
        case .exact(let s, let ignoreCase): return ignoreCase ? value.lowercased() == s : value == s
        case .glob(let pattern, let ignoreCase): return Glob.matches(pattern, Array(ignoreCase ? value.lowercased() : value))
        case .cidr(let net, let mask): return IPv4.parse(value).map { $0 & mask == net } ?? false
        case .cidr6(let net, let mask): return IPv6Address(value).map { $0 & mask == net } ?? false
        case .regex(let re): return (try? re.firstMatch(in: value)) != nil
        }
    }
}

/// Where and why a filter expression is wrong.
public struct FilterError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    /// Character offset in the expression (0-based) where the problem is.
    public var offset: Int
    public var expression: String

    public var description: String { "at column \(offset + 1): \(message)" }

    /// The expression, and under it a caret at the problem: for a terminal or the command line.
    public var pointer: String { expression + "\n" + String(repeating: " ", count: offset) + "^" }
}
