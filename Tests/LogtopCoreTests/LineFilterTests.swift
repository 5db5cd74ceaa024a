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
