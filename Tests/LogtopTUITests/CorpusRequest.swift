import Foundation

/// One request the filter and drill-down tests write to a followed log file, kept as fields: the
/// figures a filter must show are counted from these fields (`ExpectedFigures`), never by parsing the
/// written line back with logtop's parser.
struct CorpusRequest: Sendable, Equatable {
    var client: String
    var method: String
    /// The request target as written (a query string included).
    var target: String
    var status: Int
    /// Response bytes; nil is written `-` (no body: 0 bytes).
    var bytes: Int?
    /// nil is written `-` (no referrer).
    var referrer: String?
    /// nil is written `-` (no user agent).
    var userAgent: String?
    /// The request time in milliseconds, written as nginx's `$request_time` (seconds with three
    /// decimals) after the user agent; nil: no trailing field.
    var requestMillis: Int?
    /// 0 or 1: the line is stamped at the batch's first or second second.
    var secondOffset: Int64
    /// The virtual host and port (`%v:%p`, Apache's vcombined) before the client; nil: combined.
    var vhost: String? = nil

    /// The request line is `-` (README, Log formats: a TLS handshake logged as 400 still counts for
    /// status and client): no method, no path.
    var bareRequest = false

    /// The path logtop counts: the target without its query string (README, Log formats: query strings
    /// are stripped from paths unless `--keep-query`); nil without a request line.
    var path: String? { bareRequest ? nil : String(target.prefix { $0 != "?" }) }

    /// The method; nil without a request line.
    var requestMethod: String? { bareRequest ? nil : method }

    /// The combined log line stamped at `base + secondOffset` (Unix seconds, written in UTC).
    func line(base: Int64) -> String {
        let time = Self.clf(base + secondOffset)
        var s = (vhost.map { $0 + " " } ?? "") + "\(client) - - [\(time)] \"\(bareRequest ? "-" : "\(method) \(target) HTTP/1.1")\" \(status) \(bytes.map(String.init) ?? "-")"
        s += " \"\(referrer ?? "-")\" \"\(userAgent ?? "-")\""
        if let ms = requestMillis {
            let frac = String(ms % 1000)
            s += " \(ms / 1000).\(String(repeating: "0", count: 3 - frac.count))\(frac)"
        }
        return s
    }

    /// `06/Dec/2026:02:47:00 +0000`.
    static func clf(_ t: Int64) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "dd/MMM/yyyy:HH:mm:ss"
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(t))) + " +0000"
    }

    /// The batch every phase of the tests writes: 120 requests mixing every field a filter can test
    /// (IPv4 inside and outside 10/8 and 192.168/16, IPv6, a host name; five methods; paths with and
    /// without `/api/`, in upper case, with a query; 2xx to 5xx; bots and others, with and without
    /// user agent and referrer, user agents and referrers differing only in case; lines with and
    /// without a request time; virtual hosts with their port, in either case, and none; a few without
    /// a request line), the first
    /// half stamped one second before the second half.
    static let batch: [CorpusRequest] = {
        let clients = ["10.1.2.3", "10.1.2.3", "10.1.2.4", "10.20.0.7", "10.255.255.254", "192.168.1.10",
                       "192.168.1.11", "172.16.5.5", "172.32.0.1", "8.8.8.8", "2001:db8::7", "crawler.example.net",
                       "11.0.0.1", "10.1.2.3"]
        let methods = ["GET", "GET", "GET", "POST", "GET", "PUT", "POST", "DELETE", "HEAD"]
        let targets = ["/api/v1/cart", "/api/v1/cart?id=42", "/api/v1/users", "/api/v2/cart/items", "/API/v1/cart",
                       "/api", "/api/", "/apix/v1", "/login", "/static/app.js", "/health", "/", "/api/v1/users",
                       "/login?next=/api/v1/cart"]
        let statuses = [200, 200, 200, 201, 204, 301, 304, 400, 401, 403, 404, 404, 429, 500, 502, 503, 504, 200, 200]
        // Keys differing only in case (`GoogleBot/2.1`, `https://EXAMPLE.com/`) are other keys of the top
        // lists; a referrer with a query holds a `?`.
        let agents: [String?] = ["Mozilla/5.0 (X11; Linux x86_64)", "curl/8.5.0", "Googlebot/2.1",
                                 "Mozilla/5.0 (compatible; bingbot/2.0)", "python-requests/2.31", "RoBoTester/1.0", nil,
                                 "Mozilla/5.0 (X11; Linux x86_64)", "GoogleBot/2.1", "Googlebot/2.1"]
        let referrers: [String?] = ["https://example.com/", "https://www.google.com/search?q=logtop", nil,
                                    "https://shop.example.com/cart", nil, "https://EXAMPLE.com/", "https://example.com/"]
        let millis = [3, 12, 45, 80, 150, 420, 900, 1700, 27, 61, 2300]
        let n = 120
        return (0..<n).map { i in
            let bare = i % 17 == 9
            return CorpusRequest(
                client: clients[(i * 5 + i / 7) % clients.count],
                method: methods[(i * 4 + i / 11) % methods.count],
                target: targets[(i * 3 + i / 5) % targets.count],
                status: bare ? 400 : statuses[(i * 7 + i / 3) % statuses.count],
                bytes: i % 9 == 4 ? nil : 100 + (i * 137) % 4000,
                referrer: referrers[(i + i / 4) % referrers.count],
                userAgent: agents[(i * 3 + i / 2) % agents.count],
                requestMillis: i % 7 == 3 ? nil : millis[(i * 5 + i / 6) % millis.count],
                secondOffset: i < n / 2 ? 0 : 1,
                vhost: [nil, "shop.example.com:443", nil, "Shop.Example.com:80", "api.example.com:443"][(i * 3 + i / 8) % 5],
                bareRequest: bare)
        }
    }()

    /// Lines of every batch that are no request (README, Log formats: counted as malformed, never
    /// stopping logtop): no filter may count them, not even one made only of `!` terms.
    static let malformed = [
        "this is not an access log line",
        #"10.9.9.9 - - [06/Dec/2026:02:00:00 +0000] "GET /api/v1/cart HTTP/1.1" abc 12 "-" "Googlebot/2.1""#,
    ]

    /// Appends the batch to `path` in one write, stamped from `base`, with the malformed lines in its
    /// middle; returns how many lines.
    @discardableResult
    static func appendBatch(to path: String, base: Int64) throws -> Int {
        var lines = batch.map { $0.line(base: base) }
        lines.insert(contentsOf: malformed, at: lines.count / 3)
        let text = lines.joined(separator: "\n") + "\n"
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? h.close() }
        try h.seekToEnd()
        try h.write(contentsOf: Data(text.utf8))
        return lines.count
    }
}
