/// Synthetic HTTP access-log traffic, one realistic line at a time, fully determined by
/// the seed and the sequence of calls.
///
/// Lines use the Apache/nginx *combined* format followed by nginx's `$request_time`
/// (seconds, three decimals):
///
///     203.0.113.7 - - [26/Nov/2026:13:29:56 +0000] "GET /api/v1/users/42?page=2 HTTP/1.1" 200 5123 "https://www.google.com/" "Mozilla/5.0 (…) Firefox/133.0" 0.012
///
/// Background traffic: Zipf-distributed requests (exponent 1) over a fixed catalogue of
/// about 270 resources (pages, forms, CSS, JS, fonts, images, favicon, robots.txt, API
/// collections and items with numeric ids, some with query strings); a pool of 3,000
/// clients (about 10 % IPv6) with Zipf-like popularity (exponent 0.75, top client ≈ 4 %),
/// each with one user agent (browsers, Googlebot, bingbot, curl, python-requests,
/// Go-http-client); methods, statuses (≈ 1 % 5xx), sizes, referrers and log-normal request
/// times depend on the kind of resource.
///
/// Scenarios: `errors` raises the 5xx share to ≈ 40 %, `slow` multiplies request times by
/// ≈ 20 with a heavier tail. `flood` and `scan` turn ``TrafficScenario/injectedShare`` of the
/// calls (43 % and 20 %), evenly spread, into requests from ``floodClient`` or ``scanClient``;
/// ``TrafficPacer`` adds ``TrafficScenario/injectedRatio`` lines per background line, exactly
/// that share of what it emits, so background traffic keeps its rate and the attack scales with
/// it. `spike` and `drop` only affect the pacer.
public struct TrafficModel: Sendable {
    /// The single address behind ``TrafficScenario/flood``.
    public let floodClient: String
    /// The single address behind ``TrafficScenario/scan``.
    public let scanClient: String

    private var rng: SplitMix64
    private let clients: [Client]
    private var stampSecond: Int64 = .min
    private var stamp = ""
    /// Injection bookkeeping: each call of a `flood` or `scan` adds the scenario's share; a call
    /// that brings it to 1 is the attacker's.
    private var credit = 0.0

    /// A model whose clients and lines are fully determined by `seed`.
    public init(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var clients: [Client] = []
        var seen = Set<String>()
        while clients.count < Self.clientCount {
            let address = rng.chance(0.1) ? Self.randomIPv6(&rng) : Self.randomIPv4(&rng)
            guard seen.insert(address).inserted else { continue }
            let u = rng.unit() * Self.agentWeightTotal
            let agent = Self.agents.indices.first { Self.agentCumulative[$0] > u } ?? 0
            clients.append(Client(address: address, agent: agent, http2: Self.agents[agent].browser && rng.chance(0.3)))
        }
        var attackers: [String] = []
        while attackers.count < 2 {
            let address = Self.randomIPv4(&rng)
            if seen.insert(address).inserted { attackers.append(address) }
        }
        (floodClient, scanClient) = (attackers[0], attackers[1])
        self.clients = clients
        self.rng = rng
    }

    /// The next access-log line, stamped `time` (Unix seconds, UTC).
    public mutating func nextLine(time: Int64, scenario: TrafficScenario?) -> String {
        if time != stampSecond {
            stampSecond = time
            stamp = CivilTime.commonLogTime(time)
        }
        guard takesInjectedSlot(scenario) else { return backgroundLine(scenario) }
        return scenario == .scan ? scanLine() : floodLine(scenario)
    }

    /// Whether this call is one of the attacker's: ``TrafficScenario/injectedShare`` of the calls,
    /// evenly spread.
    private mutating func takesInjectedSlot(_ scenario: TrafficScenario?) -> Bool {
        guard let share = scenario?.injectedShare, share > 0 else { credit = 0; return false }
        credit += share
        guard credit >= 1 else { return false }
        credit -= 1
        return true
    }

    // MARK: Lines

    private mutating func backgroundLine(_ scenario: TrafficScenario?) -> String {
        let client = clients[sample(Self.clientCDF)]
        let agent = Self.agents[client.agent]
        let resource = Self.catalogue[sample(Self.pathCDF)]
        let method = method(for: resource.kind)
        let status = status(resource.kind, method, serverErrors: scenario?.serverErrorRate ?? TrafficScenario.normalServerErrorRate)
        let proto = client.http2 ? "HTTP/2.0" : agent.browser || !rng.chance(0.05) ? "HTTP/1.1" : "HTTP/1.0"
        return format(client.address, method, target(resource), proto, status,
                      bytes(resource, method, status), agent.browser ? referer(resource.kind) : "-",
                      agent.string, requestTime(resource.kind, status, scenario))
    }

    /// An aggressive scraper: ordinary requests, one address, no referrer.
    private mutating func floodLine(_ scenario: TrafficScenario?) -> String {
        let resource = Self.catalogue[sample(Self.pathCDF)]
        let status = status(resource.kind, "GET", serverErrors: TrafficScenario.normalServerErrorRate)
        return format(floodClient, "GET", target(resource), "HTTP/1.1", status, bytes(resource, "GET", status), "-",
                      "Scrapy/2.11.2 (+https://scrapy.org)", requestTime(resource.kind, status, scenario))
    }

    /// A vulnerability scanner probing paths that do not exist.
    private mutating func scanLine() -> String {
        let target: String
        switch rng.below(4) {
        case 0: target = "/phpMyAdmin-5.\(rng.below(3)).\(rng.below(5))/index.php"
        case 1: target = rng.pick(Self.scanDirs) + "/" + rng.pick(Self.backupNames) + rng.pick(Self.backupExtensions)
        default: target = rng.pick(Self.scanDirs) + rng.pick(Self.scanFiles)
        }
        return format(scanClient, "GET", target, "HTTP/1.1", 404, 555, "-", "Mozilla/5.0 zgrab/0.x",
                      rng.logNormal(median: 0.002, sigma: 0.5))
    }

    private func format(_ client: String, _ method: String, _ target: String, _ proto: String, _ status: Int,
                        _ bytes: Int, _ referer: String, _ agent: String, _ seconds: Double) -> String {
        let ms = Int((seconds * 1000).rounded())
        let frac = ms % 1000
        let fraction = frac < 10 ? "00\(frac)" : frac < 100 ? "0\(frac)" : "\(frac)"
        return "\(client) - - [\(stamp)] \"\(method) \(target) \(proto)\" \(status) \(bytes) \"\(referer)\" \"\(agent)\" \(ms / 1000).\(fraction)"
    }

    // MARK: Fields

    private mutating func method(for kind: Resource.Kind) -> String {
        let u = rng.unit()
        switch kind {
        case .page: return u < 0.02 ? "HEAD" : "GET"
        case .form: return u < 0.35 ? "POST" : "GET"
        case .api: return u < 0.75 ? "GET" : u < 0.93 ? "POST" : u < 0.98 ? "OPTIONS" : "HEAD"
        case .apiItem:
            return u < 0.70 ? "GET" : u < 0.82 ? "PUT" : u < 0.88 ? "PATCH" : u < 0.95 ? "DELETE" : u < 0.99 ? "OPTIONS" : "HEAD"
        default: return u < 0.01 ? "HEAD" : "GET"
        }
    }

    private mutating func status(_ kind: Resource.Kind, _ method: String, serverErrors: Double) -> Int {
        if rng.chance(serverErrors) {
            let u = rng.unit()
            return u < 0.55 ? 500 : u < 0.70 ? 502 : u < 0.95 ? 503 : 504
        }
        if method == "OPTIONS" { return 204 }
        let v = rng.unit()
        if v < (kind == .apiItem ? 0.04 : 0.015) { return 404 }  // unknown ids, broken links
        switch kind {
        case .page: return v < 0.035 ? 301 : v < 0.05 ? 302 : v < 0.08 ? 304 : 200
        case .form: return method != "POST" ? 200 : v < 0.65 ? 302 : v < 0.72 ? 403 : 200
        case .api, .apiItem:
            if v < 0.035 { return 401 }
            if v < 0.045 { return 400 }
            if v < 0.05 { return 429 }
            return method == "POST" ? 201 : method == "DELETE" ? 204 : 200
        default: return v < 0.20 ? 304 : 200
        }
    }

    private mutating func bytes(_ resource: Resource, _ method: String, _ status: Int) -> Int {
        if method == "HEAD" { return 0 }
        switch status {
        case 204, 304: return 0
        case 301: return 162
        case 302: return 138
        case 400, 502: return 157
        case 401: return 179
        case 403: return 153
        case 404: return 555
        case 429: return 169
        case 500: return 177
        case 503: return 197
        case 504: return 167
        default: break
        }
        switch resource.kind {
        case .page: return Int(Double(resource.size) * (0.9 + 0.2 * rng.unit()))
        case .api: return Int(rng.logNormal(median: 1_800, sigma: 0.9))
        case .apiItem: return Int(rng.logNormal(median: 600, sigma: 0.6))
        default: return resource.size
        }
    }

    private mutating func target(_ resource: Resource) -> String {
        var target = resource.path
        if resource.kind == .apiItem {
            let u = rng.unit()
            target += String(1 + Int(u * u * u * 5_000))  // small ids are popular
        }
        switch resource.query {
        case .none: break
        case .search:
            target += "?q=" + rng.pick(Self.searchWords)
            if rng.chance(0.2) { target += "&page=\(rng.int(in: 2...9))" }
        case .paging:
            if rng.chance(0.3) { target += "?page=\(rng.int(in: 2...20))" }
        }
        return target
    }

    private mutating func referer(_ kind: Resource.Kind) -> String {
        let u = rng.unit()
        switch kind {
        case .page, .form:
            return u < 0.35 ? "-" : u < 0.62 ? rng.pick(Self.searchEngines) : u < 0.90 ? internalPage() : rng.pick(Self.socialSites)
        case .api, .apiItem: return u < 0.9 ? internalPage() : "-"
        case .text: return "-"
        default: return u < 0.95 ? internalPage() : "-"
        }
    }

    private mutating func internalPage() -> String {
        Self.site + Self.internalPages[rng.below(1 + rng.below(Self.internalPages.count))]
    }

    private mutating func requestTime(_ kind: Resource.Kind, _ status: Int, _ scenario: TrafficScenario?) -> Double {
        if status == 504 { return 60 + 0.01 * rng.unit() }  // upstream timeout
        var t: Double
        switch (status, kind) {
        case (304, _), (404, _): t = rng.logNormal(median: 0.001, sigma: 0.5)
        case (502, _), (503, _): t = rng.logNormal(median: 0.003, sigma: 0.6)
        case (_, .page): t = rng.logNormal(median: 0.045, sigma: 0.6)
        case (_, .form): t = rng.logNormal(median: 0.080, sigma: 0.5)
        case (_, .api): t = rng.logNormal(median: 0.035, sigma: 0.7)
        case (_, .apiItem): t = rng.logNormal(median: 0.025, sigma: 0.6)
        default: t = rng.logNormal(median: 0.002, sigma: 0.7)
        }
        if scenario == .slow { t *= rng.logNormal(median: 20, sigma: 0.7) }
        return t
    }

    private mutating func sample(_ cdf: [Double]) -> Int {
        let u = rng.unit()
        var lo = 0, hi = cdf.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cdf[mid] > u { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    // MARK: Clients

    struct Client: Sendable {
        let address: String
        let agent: Int
        let http2: Bool
    }

    static let clientCount = 3_000
    /// Popularity ∝ rank^-0.75 (k^-0.75 = 1 / (√k · ⁴√k), no `pow` needed).
    static let clientCDF = cumulative((1...clientCount).map { k in
        let root = Double(k).squareRoot()
        return 1 / (root * root.squareRoot())
    })

    static func randomIPv4(_ rng: inout SplitMix64) -> String {
        var first = 0
        repeat { first = rng.int(in: 1...223) } while [10, 100, 127, 169, 172, 192].contains(first)
        return "\(first).\(rng.below(256)).\(rng.below(256)).\(rng.int(in: 1...254))"
    }

    static func randomIPv6(_ rng: inout SplitMix64) -> String {
        let prefixes = ["2001:db8", "2a02:810d", "2600:1700", "2a01:4f8", "2607:fb90", "2409:4042"]
        let hex = { (v: Int) in String(v, radix: 16) }
        return "\(rng.pick(prefixes)):\(hex(rng.below(65_536))):\(hex(rng.below(65_536)))::\(hex(rng.int(in: 1...65_535)))"
    }

    struct Agent: Sendable {
        let string: String
        let weight: Double
        let browser: Bool
    }

    static let agents: [Agent] = [
        Agent(string: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", weight: 28, browser: true),
        Agent(string: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", weight: 12, browser: true),
        Agent(string: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", weight: 9, browser: true),
        Agent(string: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", weight: 12, browser: true),
        Agent(string: "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", weight: 10, browser: true),
        Agent(string: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", weight: 7, browser: true),
        Agent(string: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", weight: 3, browser: true),
        Agent(string: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", weight: 6, browser: true),
        Agent(string: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", weight: 4, browser: false),
        Agent(string: "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", weight: 2, browser: false),
        Agent(string: "curl/8.5.0", weight: 2, browser: false),
        Agent(string: "python-requests/2.32.3", weight: 3, browser: false),
        Agent(string: "Go-http-client/1.1", weight: 2, browser: false),
    ]
    static let agentCumulative: [Double] = agents.reduce(into: []) { $0.append(($0.last ?? 0) + $1.weight) }
    static let agentWeightTotal = agentCumulative.last ?? 1

    // MARK: Catalogue

    struct Resource: Sendable {
        enum Kind: Sendable { case page, form, style, script, font, image, icon, text, api, apiItem }
        enum Query: Sendable { case none, search, paging }
        let path: String  // for `apiItem`, a prefix ending in "/" that takes a numeric id
        let kind: Kind
        var query = Query.none
        var size = 0      // body bytes for static files; base size for pages
    }

    /// The site, most popular first; the same for every seed.
    static let catalogue: [Resource] = {
        typealias R = Resource
        let head: [R] = [
            R(path: "/", kind: .page), R(path: "/static/js/app.js", kind: .script),
            R(path: "/static/css/main.css", kind: .style), R(path: "/favicon.ico", kind: .icon),
            R(path: "/api/v1/session", kind: .api), R(path: "/static/js/vendor.js", kind: .script),
            R(path: "/api/v1/products/", kind: .apiItem), R(path: "/products", kind: .page, query: .paging),
            R(path: "/images/logo.svg", kind: .image), R(path: "/api/v1/cart", kind: .api),
            R(path: "/search", kind: .page, query: .search), R(path: "/login", kind: .form),
            R(path: "/static/css/vendor.css", kind: .style), R(path: "/robots.txt", kind: .text),
            R(path: "/api/v1/products", kind: .api, query: .paging), R(path: "/blog", kind: .page, query: .paging),
            R(path: "/pricing", kind: .page), R(path: "/api/v1/users/", kind: .apiItem), R(path: "/about", kind: .page),
            R(path: "/static/fonts/inter-var.woff2", kind: .font), R(path: "/api/v1/orders/", kind: .apiItem),
            R(path: "/docs", kind: .page), R(path: "/signup", kind: .form),
            R(path: "/api/v1/search", kind: .api, query: .search), R(path: "/sitemap.xml", kind: .text),
            R(path: "/contact", kind: .form), R(path: "/checkout", kind: .form),
            R(path: "/api/v1/orders", kind: .api, query: .paging), R(path: "/healthz", kind: .text),
            R(path: "/apple-touch-icon.png", kind: .icon),
        ]
        var rng = SplitMix64(seed: 0x5EED_CA7A_1060)
        var tail: [R] = []
        for a in ["blue", "red", "green", "classic", "compact", "deluxe", "smart", "eco"] {
            for n in ["widget", "gadget", "lamp", "chair", "backpack", "kettle", "speaker", "watch"] {
                tail.append(R(path: "/products/\(a)-\(n)", kind: .page))
            }
        }
        for t in ["kafka-basics", "scaling-consumers", "log-formats", "alerting-101", "p95-explained",
                  "zipf-in-practice", "release-notes-2026", "incident-review", "caching-static-assets",
                  "http2-migration", "rate-limiting", "on-call-tips", "dashboards", "tls-renewal",
                  "ipv6-rollout", "cost-cutting", "schema-changes", "blue-green-deploys", "tracing", "retries"] {
            tail.append(R(path: "/blog/\(t)", kind: .page))
            tail.append(R(path: "/images/blog/\(t).webp", kind: .image))
        }
        for s in ["getting-started", "configuration", "api", "deployment", "faq"] {
            for p in ["overview", "install", "auth", "limits", "errors", "examples"] {
                tail.append(R(path: "/docs/\(s)/\(p)", kind: .page))
            }
        }
        for i in 1...60 { tail.append(R(path: "/images/products/\(i).jpg", kind: .image)) }
        for _ in 0..<16 { tail.append(R(path: "/static/js/chunk-\(String(rng.next() & 0xFF_FFFF, radix: 16)).js", kind: .script)) }
        for c in ["print", "theme-dark", "docs", "checkout", "blog", "admin"] {
            tail.append(R(path: "/static/css/\(c).css", kind: .style))
        }
        for f in ["inter-bold", "jetbrains-mono", "icons"] { tail.append(R(path: "/static/fonts/\(f).woff2", kind: .font)) }
        for x in ["reviews", "categories", "inventory", "notifications", "wishlist", "addresses", "payments",
                  "shipments", "coupons", "recommendations"] {
            tail.append(R(path: "/api/v1/\(x)", kind: .api, query: .paging))
            tail.append(R(path: "/api/v1/\(x)/", kind: .apiItem))
        }
        tail += [R(path: "/ads.txt", kind: .text), R(path: "/.well-known/security.txt", kind: .text),
                 R(path: "/manifest.json", kind: .text), R(path: "/feed.xml", kind: .text)]
        for i in stride(from: tail.count - 1, to: 0, by: -1) { tail.swapAt(i, rng.below(i + 1)) }
        return (head + tail).map { r in
            var r = r
            switch r.kind {
            case .page: r.size = Int(rng.logNormal(median: 24_000, sigma: 0.5))
            case .form: r.size = Int(rng.logNormal(median: 7_000, sigma: 0.3))
            case .style: r.size = Int(rng.logNormal(median: 18_000, sigma: 0.8))
            case .script: r.size = Int(rng.logNormal(median: 60_000, sigma: 1.0))
            case .font: r.size = Int(rng.logNormal(median: 48_000, sigma: 0.2))
            case .image: r.size = Int(rng.logNormal(median: 45_000, sigma: 1.0))
            case .icon: r.size = Int(rng.logNormal(median: 8_000, sigma: 0.5))
            case .text: r.size = Int(rng.logNormal(median: 400, sigma: 1.0))
            case .api, .apiItem: break
            }
            return r
        }
    }()

    /// Request popularity ∝ 1 / rank.
    static let pathCDF = cumulative((1...catalogue.count).map { 1 / Double($0) })

    static let internalPages = catalogue.filter { $0.kind == .page }.prefix(15).map(\.path)
    static let site = "https://www.example.com"
    static let searchEngines = ["https://www.google.com/", "https://www.bing.com/", "https://duckduckgo.com/",
                                "https://search.yahoo.com/", "https://yandex.ru/"]
    static let socialSites = ["https://t.co/", "https://news.ycombinator.com/", "https://www.reddit.com/",
                              "https://www.facebook.com/", "https://www.linkedin.com/"]
    static let searchWords = ["widget", "lamp", "kafka", "pricing", "refund", "shipping", "blue+chair",
                              "gift+card", "warranty", "api+key", "discount", "size+guide"]

    static let scanDirs = ["", "/admin", "/backup", "/old", "/wp", "/wordpress", "/test", "/dev", "/api", "/app",
                           "/public", "/site", "/blog", "/v1", "/laravel", "/shop", "/new", "/tmp", "/config", "/www"]
    static let scanFiles = ["/.env", "/.git/config", "/wp-login.php", "/wp-admin/setup-config.php",
                            "/phpmyadmin/index.php", "/config.php.bak", "/.aws/credentials", "/server-status",
                            "/xmlrpc.php", "/.DS_Store", "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
                            "/cgi-bin/luci", "/actuator/env", "/admin.php", "/.htpasswd", "/phpinfo.php",
                            "/wp-content/plugins/revslider/readme.txt", "/.svn/entries", "/web.config", "/id_rsa"]
    static let backupNames = ["backup", "db", "site", "dump", "www", "database", "old", "data"]
    static let backupExtensions = [".zip", ".sql", ".tar.gz", ".bak", ".sql.gz", ".rar"]

    static func cumulative(_ weights: [Double]) -> [Double] {
        let total = weights.reduce(0, +)
        var sum = 0.0
        return weights.map { sum += $0; return sum / total }
    }
}
