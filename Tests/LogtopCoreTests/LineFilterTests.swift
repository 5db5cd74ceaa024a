import Testing
@testable import LogtopCore

/// The filter expression (`--filter`, the dashboard's `/`): parsing, matching, and errors that say
/// where the expression is wrong.
@Suite struct LineFilterTests {
    static func record(client: String = "10.1.2.3", method: String? = "GET", path: String? = "/api/users/7",
                       status: Int = 200, referrer: String? = nil, ua: String? = "Mozilla/5.0 (X11)",
                       vhost: String? = nil) -> LogRecord {
        LogRecord(client: client, time: 0, method: method, path: path, status: status, referrer: referrer,
                  userAgent: ua, vhost: vhost)
    }

    static func passes(_ expression: String, _ r: LogRecord) throws -> Bool { try LineFilter(expression).matches(r) }

    @Test func statusTerms() throws {
        #expect(try Self.passes("status:5xx", Self.record(status: 503)))
        #expect(try !Self.passes("status:5xx", Self.record(status: 404)))
        #expect(try Self.passes("status:404", Self.record(status: 404)))
        #expect(try !Self.passes("status:404", Self.record(status: 403)))
        #expect(try Self.passes("status:>=400", Self.record(status: 400)))
        #expect(try !Self.passes("status:>=400", Self.record(status: 399)))
        #expect(try Self.passes("status:<300", Self.record(status: 204)))
        #expect(try !Self.passes("status:>500", Self.record(status: 500)))
        #expect(try Self.passes("status:<=500", Self.record(status: 500)))
    }

    @Test func pathGlobExactAndRegex() throws {
        #expect(try Self.passes("path:/api/*", Self.record()))
        #expect(try !Self.passes("path:/api/*", Self.record(path: "/static/app.js")))
        #expect(try Self.passes("path:/api/users/?", Self.record()))
        #expect(try Self.passes("path:*.js", Self.record(path: "/static/app.js")))
        #expect(try !Self.passes("path:/api", Self.record()))                   // exact without glob characters
        #expect(try Self.passes("path~^/api/users/[0-9]+$", Self.record()))
        #expect(try !Self.passes("path~^/users", Self.record()))
        #expect(try !Self.passes("path:/api/*", Self.record(path: nil)))        // no request line: no path
    }

    @Test func clientExactGlobAndCIDR() throws {
        #expect(try Self.passes("client:10.1.2.3", Self.record()))
        #expect(try !Self.passes("client:10.1.2.30", Self.record()))
        #expect(try Self.passes("client:10.0.0.0/8", Self.record()))
        #expect(try Self.passes("client:10.1.2.0/24", Self.record()))
        #expect(try !Self.passes("client:10.1.3.0/24", Self.record()))
        #expect(try Self.passes("client:0.0.0.0/0", Self.record()))
        #expect(try !Self.passes("client:10.0.0.0/8", Self.record(client: "example.com")))
        #expect(try Self.passes("client:10.1.*", Self.record()))
    }

    /// The text forms of RFC 4291 (2.2), parsed here to the bits written out by hand.
    @Test func ipv6AddressesParseToTheirBits() {
        func bits(_ text: String) -> (UInt64, UInt64)? { IPv6Address(text).map { ($0.high, $0.low) } }
        #expect(bits("2001:db8::1")! == (0x2001_0db8_0000_0000, 1))
        #expect(bits("2001:0DB8:0000:0000:0000:0000:0000:0001")! == (0x2001_0db8_0000_0000, 1))
        #expect(bits("::")! == (0, 0))
        #expect(bits("::1")! == (0, 1))
        #expect(bits("1::")! == (0x0001_0000_0000_0000, 0))
        #expect(bits("fe80::abcd:12")! == (0xfe80_0000_0000_0000, 0x0000_0000_abcd_0012))
        #expect(bits("1:2:3:4:5:6:7:8")! == (0x0001_0002_0003_0004, 0x0005_0006_0007_0008))
        #expect(bits("1:2:3::6:7:8")! == (0x0001_0002_0003_0000, 0x0000_0006_0007_0008))
        #expect(bits("1:2:3:4:5:6:7::")! == (0x0001_0002_0003_0004, 0x0005_0006_0007_0000))  // '::' for one group
        #expect(bits("::ffff:10.1.2.3")! == (0, 0x0000_ffff_0a01_0203))
        #expect(bits("::FFFF:192.0.2.255")! == (0, 0x0000_ffff_c000_02ff))
        #expect(bits("1:2:3:4:5:6:1.2.3.4")! == (0x0001_0002_0003_0004, 0x0005_0006_0102_0304))
        #expect(bits("64:ff9b::192.0.2.33")! == (0x0064_ff9b_0000_0000, 0x0000_0000_c000_0221))
        for bad in ["", ":", ":::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", "2001:::1", "12345::", "1:",
                    ":1", "1::2:3:4:5:6:7:8", "g::", "::1.2.3", "::1.2.3.256", "::1.2.3.4:5", "1:2:3:4:5:6:7:1.2.3.4",
                    "10.1.2.3", "example.com", "-", "[::1]", "fe80::1%eth0", " ::1", "::1 "] {
            #expect(IPv6Address(bad) == nil, "\(bad)")
        }
    }

    /// `client:ADDRESS/N` with an IPv6 address: a client matches when it is an IPv6 address whose first
    /// N bits are the block's.
    @Test func clientIPv6BlocksAtPrefixBoundaries() throws {
        let r = { (client: String) in Self.record(client: client) }
        // /0: every IPv6 client, no IPv4 client or host name.
        #expect(try Self.passes("client:::/0", r("2001:db8::1")))
        #expect(try Self.passes("client:::/0", r("::")))
        #expect(try !Self.passes("client:::/0", r("10.1.2.3")))
        #expect(try !Self.passes("client:::/0", r("example.com")))
        // /1
        #expect(try Self.passes("client:8000::/1", r("8000::")))
        #expect(try Self.passes("client:8000::/1", r("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")))
        #expect(try !Self.passes("client:8000::/1", r("7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")))
        // /10: link-local.
        #expect(try Self.passes("client:fe80::/10", r("fe80::1")))
        #expect(try Self.passes("client:fe80::/10", r("febf:ffff::1")))
        #expect(try !Self.passes("client:fe80::/10", r("fec0::1")))
        #expect(try !Self.passes("client:fe80::/10", r("fe7f:ffff::1")))
        // /32: the documentation block.
        #expect(try Self.passes("client:2001:db8::/32", r("2001:db8::1")))
        #expect(try Self.passes("client:2001:db8::/32", r("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")))
        #expect(try !Self.passes("client:2001:db8::/32", r("2001:db9::")))
        #expect(try !Self.passes("client:2001:db8::/32", r("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff")))
        // /64
        #expect(try Self.passes("client:2001:db8:0:1::/64", r("2001:db8:0:1:ffff:ffff:ffff:ffff")))
        #expect(try Self.passes("client:2001:db8:0:1::/64", r("2001:db8:0:1::")))
        #expect(try !Self.passes("client:2001:db8:0:1::/64", r("2001:db8:0:2::")))
        #expect(try !Self.passes("client:2001:db8:0:1::/64", r("2001:db8::ffff:ffff:ffff:ffff")))
        // /127
        #expect(try Self.passes("client:2001:db8::/127", r("2001:db8::")))
        #expect(try Self.passes("client:2001:db8::/127", r("2001:db8::1")))
        #expect(try !Self.passes("client:2001:db8::/127", r("2001:db8::2")))
        // /128: one address, however it is written.
        #expect(try Self.passes("client:::1/128", r("::1")))
        #expect(try Self.passes("client:::1/128", r("0:0:0:0:0:0:0:1")))
        #expect(try Self.passes("client:::1/128", r("0000:0000::0001")))
        #expect(try !Self.passes("client:::1/128", r("::")))
        #expect(try !Self.passes("client:::1/128", r("::2")))
        #expect(try !Self.passes("client:::1/128", r("127.0.0.1")))
        // Host bits in the block are dropped, as for IPv4 (10.1.2.3/8 is 10.0.0.0/8).
        #expect(try Self.passes("client:2001:db8::1/32", r("2001:db8:5::7")))
        // Negated.
        #expect(try !Self.passes("!client:2001:db8::/32", r("2001:db8::1")))
        #expect(try Self.passes("!client:2001:db8::/32", r("10.1.2.3")))
    }

    /// Every prefix length 0...128 against clients one bit either side of the boundary, written out in
    /// full here (eight groups of four hex digits) from the bits.
    @Test func clientIPv6BlocksAtEveryPrefixLength() throws {
        func text(_ high: UInt64, _ low: UInt64) -> String {
            (0..<8).map { g -> String in
                let word = g < 4 ? high : low
                let v = String((word >> UInt64(48 - 16 * (g % 4))) & 0xffff, radix: 16)
                return String(repeating: "0", count: 4 - v.count) + v
            }.joined(separator: ":")
        }
        func flipped(_ bit: Int) -> String {  // the base with bit `bit` (0 = the first) flipped
            let (h, l): (UInt64, UInt64) = (0x2001_0db8_85a3_1234, 0x5678_9abc_def0_4321)
            return bit < 64 ? text(h ^ (1 << UInt64(63 - bit)), l) : text(h, l ^ (1 << UInt64(127 - bit)))
        }
        let base = "2001:db8:85a3:1234:5678:9abc:def0:4321"
        for bits in 0...128 {
            let f = try LineFilter("client:\(base)/\(bits)")
            #expect(f.matches(Self.record(client: base)))
            if bits < 128 { #expect(f.matches(Self.record(client: flipped(bits))), "/\(bits), bit \(bits) flipped") }
            if bits > 0 { #expect(!f.matches(Self.record(client: flipped(bits - 1))), "/\(bits), bit \(bits - 1) flipped") }
        }
    }

    @Test func clientIPv6BlocksShorthandCaseAndEmbeddedIPv4() throws {
        let r = { (client: String) in Self.record(client: client) }
        // The block and the client in any case, with or without leading zeros and '::'.
        #expect(try Self.passes("client:2001:DB8::/32", r("2001:db8::1")))
        #expect(try Self.passes("client:2001:db8::/32", r("2001:DB8:0:0:0:0:0:AB")))
        #expect(try Self.passes("client:2001:0db8:0000:0000:0000:0000:0000:0000/32", r("2001:db8::1")))
        #expect(try Self.passes("client:FE80::/10", r("FE80::A:B")))
        #expect(try Self.passes("client:2001:db8:0:0:1::/80", r("2001:db8::1:0:0:7")))
        // Embedded IPv4 in the block and in the client.
        #expect(try Self.passes("client:::ffff:10.0.0.0/104", r("::ffff:10.1.2.3")))
        #expect(try Self.passes("client:::ffff:10.0.0.0/104", r("::FFFF:10.255.255.255")))
        #expect(try Self.passes("client:::ffff:10.0.0.0/104", r("::ffff:a01:203")))   // 10.1.2.3 in hex
        #expect(try !Self.passes("client:::ffff:10.0.0.0/104", r("::ffff:11.0.0.1")))
        #expect(try Self.passes("client:::ffff:0:0/96", r("::ffff:192.0.2.1")))
        #expect(try Self.passes("client:64:ff9b::/96", r("64:ff9b::192.0.2.33")))
        // An IPv4 client never matches an IPv6 block, an IPv6 client (an IPv4-mapped one too) never an IPv4 block.
        #expect(try !Self.passes("client:::ffff:10.0.0.0/104", r("10.1.2.3")))
        #expect(try !Self.passes("client:::ffff:0:0/96", r("10.1.2.3")))
        #expect(try !Self.passes("client:10.0.0.0/8", r("::ffff:10.1.2.3")))
        #expect(try !Self.passes("client:0.0.0.0/0", r("2001:db8::1")))
        #expect(try Self.passes("client:0.0.0.0/0", r("10.1.2.3")))
        // Not addresses: a host name, an empty or bracketed client, a zone.
        for client in ["example.com", "-", "", "[2001:db8::1]", "fe80::1%eth0", "2001:db8::1:"] {
            #expect(try !Self.passes("client:::/0", r(client)), "\(client)")
        }
        // Without '/', an IPv6 client is still the exact text (and '=' always is).
        #expect(try Self.passes("client:2001:db8::1", r("2001:db8::1")))
        #expect(try !Self.passes("client:2001:db8::1", r("2001:db8::2")))
        #expect(try Self.passes("client=2001:db8::/32", r("2001:db8::/32")))
        #expect(try !Self.passes("client=2001:db8::/32", r("2001:db8::1")))
        #expect(try Self.passes("client:\"2001:db8::/32\"", r("2001:db8::1")))     // quoted
        #expect(try Self.passes("ip:2001:db8::/32 status:200", r("2001:db8::1")))
    }

    /// A bad IPv6 block is refused with the column of the character that is wrong.
    @Test func badIPv6BlocksSayWhere() {
        func error(_ text: String) -> FilterError? {
            do { _ = try LineFilter(text); return nil } catch { return error }
        }
        let length = "expected a prefix length from 0 to 128 after '/' in an IPv6 block such as 2001:db8::/32"
        let cases: [(String, Int, String)] = [
            // expression, 0-based offset, message
            ("client:2001:db8::/129", 18, length),
            ("client:2001:db8::/", 18, length),
            ("client:2001:db8::/3x", 18, length),
            ("client:2001:db8::/-1", 18, length),
            ("client:2001:db8::/1000", 18, length),
            ("client:2001:db8::/32/1", 18, length),
            ("client:2001:::1/64", 13, "':::' in an IPv6 address: '::' is the only run of colons"),
            ("client::::1/64", 9, "':::' in an IPv6 address: '::' is the only run of colons"),
            ("client:12345::/16", 7, "an IPv6 group has at most 4 hex digits"),
            ("client:2001:db8::12345/64", 17, "an IPv6 group has at most 4 hex digits"),
            ("client:1:2::3::4/64", 13, "a second '::' in an IPv6 address (one at most)"),
            ("client:1:2:3:4:5:6:7:8:9/64", 23, "more than 8 groups in an IPv6 address"),
            ("client:1:2:3/48", 12, "fewer than 8 groups in an IPv6 address without '::'"),
            ("client:1:2:3:4::5:6:7:8/64", 14,
             "'::' stands for at least one group, and this address has 8 without it"),
            ("client:fe80:/10", 11, "a single ':' at either end of an IPv6 address (use '::')"),
            ("client::1/128", 7, "a single ':' at either end of an IPv6 address (use '::')"),
            ("client:2001:db8::g/32", 17, "expected a hex digit, ':' or '.' in an IPv6 address"),
            ("client:::ffff:10.0.0.256/104", 14, "expected an IPv4 address such as 10.0.0.1 as the last 32 bits"),
            ("client:::10.0.0.1:0/104", 9, "expected an IPv4 address such as 10.0.0.1 as the last 32 bits"),
            ("client:1:2:3:4:5:6:7:10.0.0.1/128", 21,
             "an embedded IPv4 address must come last, after at most 6 groups"),
            ("client:\"2001:::1/64\"", 14, "':::' in an IPv6 address: '::' is the only run of colons"),
            ("status:5xx !client:2001:::1/64", 25, "':::' in an IPv6 address: '::' is the only run of colons"),
        ]
        for (expression, offset, message) in cases {
            let e = error(expression)
            #expect(e?.offset == offset, "\(expression): \(e?.description ?? "accepted")")
            #expect(e?.message == message, "\(expression): \(e?.description ?? "accepted")")
        }
        let e = error("client:2001:db8::/129")
        #expect(e?.pointer == "client:2001:db8::/129\n                  ^")
        #expect(e?.description == "at column 19: \(length)")
        // IPv4 blocks keep their error.
        #expect(error("client:10.0.0.0/33")?.message == "expected an IPv4 block such as 10.0.0.0/8")
        #expect(error("client:10.0.0.0/33")?.offset == 7)
    }

    @Test func methodUserAgentVhostReferrerIgnoreCase() throws {
        #expect(try Self.passes("method:post", Self.record(method: "POST")))
        #expect(try !Self.passes("method:POST", Self.record()))
        #expect(try Self.passes("ua~bot", Self.record(ua: "Googlebot/2.1")))
        #expect(try Self.passes("ua~BOT", Self.record(ua: "Googlebot/2.1")))
        #expect(try !Self.passes("ua~bot", Self.record()))
        #expect(try !Self.passes("ua~bot", Self.record(ua: nil)))
        #expect(try Self.passes("ua:\"mozilla/5.0 *\"", Self.record()))
        #expect(try Self.passes("vhost:Shop.example.com", Self.record(vhost: "shop.example.com")))
        #expect(try !Self.passes("vhost:shop.example.com", Self.record()))
        #expect(try Self.passes("referrer:*google*", Self.record(referrer: "https://www.google.com/")))
        #expect(try Self.passes("ref:*google*", Self.record(referrer: "https://www.google.com/")))
    }

    @Test func spacesAreAndBangIsNot() throws {
        let r = Self.record(method: "POST", status: 502)
        #expect(try Self.passes("status:5xx method:POST", r))
        #expect(try !Self.passes("status:5xx method:GET", r))
        #expect(try Self.passes("status:5xx !path:/static/*", r))
        #expect(try !Self.passes("!status:5xx", r))
        #expect(try Self.passes("!ua~bot", r))
        #expect(try Self.passes("!ua~bot", Self.record(ua: nil)))   // no user agent: not a bot
        #expect(try Self.passes("", r))                              // empty: everything
        #expect(try Self.passes("  status:502   ", r))
    }

    @Test func errorsSayWhereTheExpressionIsWrong() {
        func error(_ text: String) -> FilterError? {
            do { _ = try LineFilter(text); return nil } catch { return error }
        }
        #expect(error("status:5xx stat:404")?.offset == 11)
        #expect(error("status:5xx stat:404")?.message.hasPrefix("unknown field 'stat'") == true)
        #expect(error("status:abc")?.offset == 7)
        #expect(error("status:600x")?.message == "expected a status such as 404, 5xx, >=400 or <300")
        #expect(error("status~5..")?.message.contains("not a regex") == true)
        #expect(error("path")?.offset == 4)
        #expect(error("path:")?.message == "expected a value after path:")
        #expect(error("path~(")?.message == "bad regular expression '('")
        #expect(error("path~(")?.offset == 5)
        #expect(error("client:10.0.0.0/33")?.message == "expected an IPv4 block such as 10.0.0.0/8")
        #expect(error("ua:\"abc")?.message == "unterminated quote")
        #expect(error("!")?.offset == 1)
        #expect(error("= status:5xx")?.offset == 0)
        let e = error("status:5xx stat:404")
        #expect(e?.pointer == "status:5xx stat:404\n           ^")
        #expect(e?.description == "at column 12: unknown field 'stat': expected status, path, client, method, ua, vhost or referrer")
    }

    /// `=` is the value exactly as written (a drill-down's filter): `:` on text fields ignores case and
    /// takes `*`/`?` as a glob, so `ua:"Googlebot/2.1"` also counts `GoogleBot/2.1`, another row of the
    /// top list, and a referrer with a query (`?`) also counts others.
    @Test func equalsIsTheValueExactlyAsWritten() throws {
        func error(_ text: String) -> FilterError? {
            do { _ = try LineFilter(text); return nil } catch { return error }
        }
        #expect(try Self.passes("ua=\"Googlebot/2.1\"", Self.record(ua: "Googlebot/2.1")))
        #expect(try !Self.passes("ua=\"Googlebot/2.1\"", Self.record(ua: "GoogleBot/2.1")))
        #expect(try Self.passes("ua:\"Googlebot/2.1\"", Self.record(ua: "GoogleBot/2.1")))
        #expect(try !Self.passes("ua=Googlebot/2.1", Self.record(ua: nil)))
        #expect(try Self.passes("!ua=Googlebot/2.1", Self.record(ua: nil)))
        #expect(try Self.passes("referrer=\"https://x.com/s?q=a\"", Self.record(referrer: "https://x.com/s?q=a")))
        #expect(try !Self.passes("referrer=\"https://x.com/s?q=a\"", Self.record(referrer: "https://x.com/sXq=a")))
        #expect(try Self.passes("referrer:\"https://x.com/s?q=a\"", Self.record(referrer: "https://x.com/sXq=a")))
        #expect(try !Self.passes("referrer=https://example.com/", Self.record(referrer: "https://EXAMPLE.com/")))
        #expect(try Self.passes("path=/a*b", Self.record(path: "/a*b")))
        #expect(try !Self.passes("path=/a*b", Self.record(path: "/axxb")))
        #expect(try Self.passes("method=POST", Self.record(method: "POST")))
        #expect(try !Self.passes("method=post", Self.record(method: "POST")))
        // A client key with a slash is a key, not a CIDR block; a host name keeps its case.
        #expect(try Self.passes("client=10.0.0.0/8", Self.record(client: "10.0.0.0/8")))
        #expect(try !Self.passes("client=10.0.0.0/8", Self.record()))
        #expect(try !Self.passes("client=Crawler.example.net", Self.record(client: "crawler.example.net")))
        #expect(error("status=404")?.message.contains("not '='") == true)
        #expect(error("status=404")?.offset == 7)
        #expect(error("path=")?.message == "expected a value after path=")
        #expect(error("path/x")?.message == "expected ':', '=' or '~' after path")
    }

    /// Apache's vcombined writes the virtual host with its port (`%v:%p`), and the parser keeps it:
    /// `vhost:HOST` is that host on any port (it matched no vcombined line before), `vhost:HOST:PORT`
    /// one port.
    @Test func vhostMatchesTheHostOnAnyPort() throws {
        #expect(try Self.passes("vhost:shop.example.com", Self.record(vhost: "shop.example.com:443")))
        #expect(try Self.passes("vhost:Shop.Example.com", Self.record(vhost: "shop.example.com:80")))
        #expect(try Self.passes("vhost:shop.example.com:443", Self.record(vhost: "shop.example.com:443")))
        #expect(try !Self.passes("vhost:shop.example.com:80", Self.record(vhost: "shop.example.com:443")))
        #expect(try !Self.passes("vhost:shop.example.com", Self.record(vhost: "api.example.com:443")))
        #expect(try Self.passes("vhost:*.example.com", Self.record(vhost: "api.example.com:443")))
        #expect(try Self.passes("vhost~^shop\\.", Self.record(vhost: "shop.example.com:443")))
        #expect(try !Self.passes("!vhost:shop.example.com", Self.record(vhost: "shop.example.com:443")))
        #expect(try Self.passes("!vhost:shop.example.com", Self.record(vhost: "api.example.com:443")))
        #expect(try Self.passes("vhost=shop.example.com:443", Self.record(vhost: "shop.example.com:443")))
        #expect(LineFilter.withoutPort("[::1]:8080") == "[::1]")
        #expect(LineFilter.withoutPort("::1") == nil)
        #expect(LineFilter.withoutPort("shop.example.com") == nil)
        #expect(LineFilter.withoutPort("shop.example.com:") == nil)
        // Through the parser, as logtop filters lines.
        let f = try LineFilter("vhost:shop.example.com")
        var parser = AccessLogParser()
        var line = #"shop.example.com:443 10.0.0.1 - - [01/Nov/2026:02:00:00 +0000] "GET / HTTP/1.1" 200 10 "-" "curl/8""#
        #expect(line.withUTF8 { f.matches(line: $0, parser: &parser) })
        line = #"api.example.com:443 10.0.0.1 - - [01/Nov/2026:02:00:00 +0000] "GET / HTTP/1.1" 200 10 "-" "curl/8""#
        #expect(!line.withUTF8 { f.matches(line: $0, parser: &parser) })
    }

    @Test func linesAreParsedWithTheRunsParser() throws {
        let f = try LineFilter("status:5xx path:/api/*")
        var parser = AccessLogParser()
        func check(_ line: String) -> Bool {
            var copy = line
            return copy.withUTF8 { f.matches(line: $0, parser: &parser) }
        }
        #expect(check(#"10.0.0.1 - - [01/Nov/2026:02:00:00 +0000] "GET /api/x HTTP/1.1" 502 10 "-" "curl/8""#))
        #expect(!check(#"10.0.0.1 - - [01/Nov/2026:02:00:00 +0000] "GET /api/x HTTP/1.1" 200 10 "-" "curl/8""#))
        #expect(!check("garbage"))
    }
}
