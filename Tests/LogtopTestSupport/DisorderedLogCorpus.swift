/// Realistic access logs whose lines are out of time order the way real servers write them, with the
/// expected figures counted here from the generated values (never by parsing the lines, and without
/// logtop's code), so that tests can compare logtop's reports with an independent count.
///
/// Kinds of disorder (`Disorder`), each a generator:
/// - `shuffledWithinMinute`: every minute's lines in random order (several workers sharing a log):
///   up to 59 s of disorder.
/// - `longRequests`: lines written when a request ends, stamped with its start (nginx, Apache); most
///   take under a second, some minutes (slow downloads), so a line can be minutes late.
/// - `multiDayGap`: two stretches of traffic two days apart.
/// - `timeZoneChange`: local times whose UTC offset changes mid-file (+0100 to +0200, as at a daylight
///   saving change, and a second server logging at -0500): UTC order is what counts.
/// - `clockStepBack`: the server clock steps back 40 s mid-file (an NTP correction): the lines after
///   the step are stamped 40 s earlier than they were written.
public struct DisorderedLogCorpus: Sendable {
    public enum Disorder: String, CaseIterable, Sendable {
        case shuffledWithinMinute, longRequests, multiDayGap, timeZoneChange, clockStepBack
    }

    /// One request as generated: its UTC time, the fields of its line, and the line itself.
    public struct Request: Sendable {
        public var time: Int64
        public var client: String
        public var path: String
        public var status: Int
        public var bytes: Int
        public var referrer: String
        public var agent: String
        /// UTC offset the line is written with, minutes.
        public var offsetMinutes: Int
        public var line: String
    }

    /// Figures of one minute (or of the whole corpus), counted from the requests.
    public struct Figures: Sendable, Equatable {
        public var requests = 0
        public var bytes = 0
        public var status: [Int: Int] = [:]
        public var paths: [String: Int] = [:]
        public var clients: [String: Int] = [:]
        public var referrers: [String: Int] = [:]
        public var agents: [String: Int] = [:]

        mutating func add(_ r: Request) {
            requests += 1
            bytes += r.bytes
            status[r.status, default: 0] += 1
            paths[r.path, default: 0] += 1
            clients[r.client, default: 0] += 1
            if r.referrer != "-" { referrers[r.referrer, default: 0] += 1 }
            if r.agent != "-" { agents[r.agent, default: 0] += 1 }
        }

        /// The `n` largest of `counts`: largest count first, ties by key (byte order).
        public static func top(_ counts: [String: Int], _ n: Int) -> [(key: String, count: Int)] {
            Array(counts.map { (key: $0.key, count: $0.value) }
                .sorted { $0.count != $1.count ? $0.count > $1.count : Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
                .prefix(n))
        }
    }

    public let disorder: Disorder
    /// Requests in file order.
    public private(set) var requests: [Request] = []

    /// Start of the first minute: 2026-03-29T00:00:00Z (the night Europe moves its clocks forward).
    public static let start: Int64 = 1_774_742_400

    /// `minutes` minutes of traffic (74-120 requests each, 1,200 clients, 900 paths of skewed
    /// popularity) with `disorder`.
    public init(_ disorder: Disorder, minutes: Int = 12, seed: UInt64 = 7) {
        self.disorder = disorder
        var rng = Xorshift(seed: seed &+ UInt64(Disorder.allCases.firstIndex(of: disorder)!) &* 1_000_003)
        var made: [(written: Int64, order: UInt64, request: Request)] = []
        for m in 0..<minutes {
            var minuteStart = Self.start + Int64(m) * 60
            if disorder == .multiDayGap && m >= minutes / 2 { minuteStart += 2 * 86_400 + 7 * 3_600 }
            let n = 74 + Int(rng.next() % 47)
            for _ in 0..<n {
                let t = minuteStart + Int64(rng.next() % 60)
                var written = t
                var stamped = t
                switch disorder {
                case .longRequests:
                    // Most requests last under a second; one in 25 a minute or two; one in 150 up to 20 min.
                    let r = rng.next() % 150
                    written += r == 0 ? Int64(300 + rng.next() % 900) : r < 6 ? Int64(60 + rng.next() % 90) : Int64(rng.next() % 2)
                case .clockStepBack:
                    if m >= minutes / 2 { stamped -= 40 }  // the clock went back 40 s: logged as 40 s earlier
                default: break
                }
                var offset = 0
                if disorder == .timeZoneChange {
                    offset = rng.next() % 4 == 0 ? -300 : (m < minutes / 2 ? 60 : 120)
                }
                let req = Self.request(time: stamped, offsetMinutes: offset, rng: &rng)
                made.append((written, rng.next(), req))
            }
        }
        // File order: by the time a line was written; lines written in the same minute in random order
        // for the shuffled corpus, in the same second otherwise.
        let shuffleSpan: Int64 = disorder == .shuffledWithinMinute ? 60 : 1
        made.sort { a, b in
            let wa = Self.floorDiv(a.written, shuffleSpan), wb = Self.floorDiv(b.written, shuffleSpan)
            return wa != wb ? wa < wb : a.order < b.order
        }
        requests = made.map(\.request)
    }

    /// The lines, newline-terminated, in file order.
    public var text: String {
        var out = ""
        out.reserveCapacity(requests.count * 200)
        for r in requests {
            out += r.line
            out += "\n"
        }
        return out
    }

    /// Figures per minute of UTC time (keyed by the minute's start, Unix seconds).
    public var perMinute: [Int64: Figures] {
        var out: [Int64: Figures] = [:]
        for r in requests { out[Self.floorDiv(r.time, 60) * 60, default: Figures()].add(r) }
        return out
    }

    /// Lateness (largest, 99th percentile) of the lines of each minute, as `lateness` measures it.
    public var latenessPerMinute: [Int64: (max: Int64, p99: Int64)] {
        var newest = Int64.min
        var values: [Int64: [Int64]] = [:]
        for r in requests {
            values[Self.floorDiv(r.time, 60) * 60, default: []].append(newest == .min ? 0 : max(0, newest - r.time))
            newest = max(newest, r.time)
        }
        return values.mapValues(Self.maxAndP99)
    }

    static func maxAndP99(_ v: [Int64]) -> (max: Int64, p99: Int64) {
        let values = v.sorted()
        guard let last = values.last else { return (0, 0) }
        let rank = max(1, Int((0.99 * Double(values.count)).rounded(.up)))
        return (last, values[rank - 1])
    }

    public var total: Figures {
        var f = Figures()
        for r in requests { f.add(r) }
        return f
    }

    /// How late each line arrives (newest time before it minus its own, at least 0): largest and the
    /// 99th percentile (nearest rank).
    public var lateness: (max: Int64, p99: Int64) {
        var newest = Int64.min
        var values: [Int64] = []
        for r in requests {
            values.append(newest == .min ? 0 : max(0, newest - r.time))
            newest = max(newest, r.time)
        }
        return Self.maxAndP99(values)
    }

    // MARK: - Lines

    static let agents = [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "curl/8.5.0", "Googlebot/2.1 (+http://www.google.com/bot.html)", "python-requests/2.32.3",
    ]
    static let referrers = ["-", "-", "-", "https://www.example.org/", "https://www.google.com/", "https://news.ycombinator.com/"]
    static let statuses = [200, 200, 200, 200, 200, 200, 200, 304, 304, 301, 404, 404, 500, 503]

    static func request(time: Int64, offsetMinutes: Int, rng: inout Xorshift) -> Request {
        // Skewed popularity: the square of a uniform number favours small indices.
        let u = Double(rng.next() % 10_000) / 10_000
        let pathIndex = Int(u * u * 900)
        let path = pathIndex < 20 ? "/static/asset\(pathIndex).css" : "/articles/\(pathIndex)"
        let clientIndex = Int(rng.next() % 1_200)
        let client = "192.0.\(clientIndex / 250).\(clientIndex % 250 + 1)"
        let status = statuses[Int(rng.next() % UInt64(statuses.count))]
        let bytes = status == 304 ? 0 : 200 + Int(rng.next() % 40_000)
        let referrer = referrers[Int(rng.next() % UInt64(referrers.count))]
        let agent = agents[Int(rng.next() % UInt64(agents.count))]
        let line = "\(client) - - [\(localTime(time, offsetMinutes: offsetMinutes))] \"GET \(path) HTTP/1.1\" \(status) \(bytes) \"\(referrer)\" \"\(agent)\""
        return Request(time: time, client: client, path: path, status: status, bytes: bytes, referrer: referrer,
                       agent: agent, offsetMinutes: offsetMinutes, line: line)
    }

    /// `29/Mar/2026:02:00:00 +0100`: UTC time `t` as the local time of a zone `offsetMinutes` east.
    public static func localTime(_ t: Int64, offsetMinutes: Int) -> String {
        let (year, month, day, secs) = civil(t + Int64(offsetMinutes) * 60)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let sign = offsetMinutes < 0 ? "-" : "+"
        let o = abs(offsetMinutes)
        return "\(two(day))/\(months[Int(month) - 1])/\(year):\(two(secs / 3_600)):\(two(secs / 60 % 60)):\(two(secs % 60)) \(sign)\(two(Int64(o / 60)))\(two(Int64(o % 60)))"
    }

    /// `2026-03-29T00:01:00Z`.
    public static func iso8601(_ t: Int64) -> String {
        let (year, month, day, secs) = civil(t)
        return "\(year)-\(two(month))-\(two(day))T\(two(secs / 3_600)):\(two(secs / 60 % 60)):\(two(secs % 60))Z"
    }

    /// Civil date (proleptic Gregorian, eras of 400 years) and second of the day of Unix time `t`.
    static func civil(_ t: Int64) -> (year: Int64, month: Int64, day: Int64, second: Int64) {
        let days = floorDiv(t, 86_400)
        let secs = t - days * 86_400
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day, secs)
    }

    static func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}

/// xorshift64*: small, deterministic, good enough to pick log fields.
struct Xorshift {
    private var state: UInt64

    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }

    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}
