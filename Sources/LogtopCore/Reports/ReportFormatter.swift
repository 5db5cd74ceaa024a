/// Renders interval reports as the human-readable `results.txt` block and as JSON Lines.
public enum ReportFormatter {
    /// The `results.txt` block of one interval (or of the TOTAL).
    public static func text(_ r: IntervalReport, top: Int = 5) -> String {
        let s = r.summary
        var out = ""
        // A run that saw no record has no event time: say so rather than print the Unix epoch.
        let range = r.isTotal && r.summary.requests == 0 && r.start == 0 && r.end == 0
            ? "(no event time: no records)" : "\(CivilTime.iso8601(r.start)) .. \(CivilTime.iso8601(r.end))"
        out += r.isTotal ? "==== TOTAL \(range) (\(r.end - r.start) s) ====\n" : "==== \(range) (\(r.end - r.start) s) ====\n"
        if r.isTotal { out += "logtop          \(Logtop.version)\n" }  // what produced this report
        out += "requests        \(s.requests)   avg \(Format.fixed(r.averageRate, decimals: 1)) req/s   peak \(r.peakRate) req/s\n"
        out += "bytes           \(s.bytes) (\(Format.bytes(s.bytes)))\n"
        let codes = s.status.map { "\($0.code == 0 ? "other" : String($0.code)): \($0.count)" }.joined(separator: "  ")
        out += "status codes    \(codes.isEmpty ? "-" : codes)\n"
        out += "classes         " + (1...5).map { "\($0)xx: \(s.classes[$0 - 1])" }.joined(separator: "  ") + "\n"
        out += "error rate      \(Format.fixed(s.errorRate * 100, decimals: 2)) % (5xx)\n"
        out += "unique clients  \(s.uniqueClients)\n"
        if let l = s.latency {
            out += "latency ms      p50 \(Format.fixed(l.p50, decimals: 1))  p95 \(Format.fixed(l.p95, decimals: 1))  p99 \(Format.fixed(l.p99, decimals: 1))  (\(l.samples) timed)\n"
        } else {
            out += "latency ms      - (no request times in the log)\n"
        }
        out += "malformed       \(s.malformed)\n"
        out += "late            \(s.late)\(lateDetail(r))\n"
        out += "lateness s      max \(r.lateness.max)  p99 \(r.lateness.p99)  (allowed \(r.allowedLateness))\n"
        out += "top paths\(exactness(s.exact.paths))\n"
        out += list(s.topPaths.prefix(top), total: s.requests)
        out += "top clients\(exactness(s.exact.clients))\n"
        out += list(s.topClients.prefix(top), total: s.requests)
        out += "top referrers\(exactness(s.exact.referrers))\n"
        out += list(s.topReferrers.prefix(top), total: s.requests)
        out += "top user agents\(exactness(s.exact.userAgents))\n"
        out += list(s.topUserAgents.prefix(top), total: s.requests)
        let fired = r.alerts.filter { $0.state == .firing }.count
        out += "alerts fired    \(fired)\n"
        for a in r.alerts { out += "  \(CivilTime.clock(a.time))Z \(a.message)\n" }
        out += "\n"
        return out
    }

    /// `  (after their interval was written: 2026-11-26T10:01:00Z 3, …)`: the first ten intervals the
    /// late records missed, then how many more; nothing when none was late.
    private static func lateDetail(_ r: IntervalReport) -> String {
        guard !r.lateFor.isEmpty else { return "" }
        var parts = r.lateFor.prefix(10).map { a in
            a.start == .min ? "other intervals \(a.count)" : "\(CivilTime.iso8601(a.start)) \(a.count)"
        }
        if r.lateFor.count > 10 {
            parts.append("\(r.lateFor.count - 10) more intervals \(r.lateFor.dropFirst(10).reduce(0) { $0 + $1.count })")
        }
        return "  (after their interval was written: " + parts.joined(separator: ", ") + ")"
    }

    private static func exactness(_ exact: Bool) -> String { exact ? "" : " (estimated: more distinct keys than counted exactly)" }

    private static func list(_ entries: ArraySlice<TopEntry>, total: Int) -> String {
        if entries.isEmpty { return "  -\n" }
        var out = ""
        for (i, e) in entries.enumerated() {
            let share = total == 0 ? 0 : 100 * Double(e.count) / Double(total)
            let approx = e.error > 0 ? " (±\(e.error))" : ""
            out += "  \(Format.pad(String(i + 1), 2, right: true)). \(Format.pad(String(e.count), 9, right: true))  \(Format.pad(Format.fixed(share, decimals: 1), 5, right: true)) %  \(e.key)\(approx)\n"
        }
        return out
    }

    /// One JSON object (no newline) for an interval or the total.
    public static func json(_ r: IntervalReport, top: Int = 5) -> String {
        let s = r.summary
        var o = JSONWriter()
        o.field("type", r.isTotal ? "total" : "interval")
        o.field("start", CivilTime.iso8601(r.start))
        o.field("end", CivilTime.iso8601(r.end))
        o.field("requests", s.requests)
        o.field("bytes", Int(s.bytes))
        o.raw("status", "{" + s.status.map { "\(JSONWriter.quote($0.code == 0 ? "other" : String($0.code))):\($0.count)" }.joined(separator: ",") + "}")
        o.raw("classes", "{" + (1...5).map { "\"\($0)xx\":\(s.classes[$0 - 1])" }.joined(separator: ",") + "}")
        o.raw("error_rate", Format.number(s.errorRate, decimals: 6))
        o.raw("avg_rps", Format.number(r.averageRate, decimals: 3))
        o.field("peak_rps", r.peakRate)
        o.raw("top_paths", entries(s.topPaths.prefix(top), "path"))
        o.raw("top_clients", entries(s.topClients.prefix(top), "client"))
        o.raw("top_referrers", entries(s.topReferrers.prefix(top), "referrer"))
        o.raw("top_user_agents", entries(s.topUserAgents.prefix(top), "user_agent"))
        o.raw("exact", "{\"top_paths\":\(s.exact.paths),\"top_clients\":\(s.exact.clients),\"top_referrers\":\(s.exact.referrers),\"top_user_agents\":\(s.exact.userAgents)}")
        o.field("unique_clients", s.uniqueClients)
        o.field("malformed", s.malformed)
        o.field("late", s.late)
        o.raw("late_for", "[" + r.lateFor.map { a in
            a.start == .min ? "{\"start\":null,\"end\":null,\"count\":\(a.count)}"
                : "{\"start\":\(JSONWriter.quote(CivilTime.iso8601(a.start))),\"end\":\(JSONWriter.quote(CivilTime.iso8601(a.end))),\"count\":\(a.count)}"
        }.joined(separator: ",") + "]")
        o.raw("lateness_s", "{\"max\":\(r.lateness.max),\"p99\":\(r.lateness.p99),\"allowed\":\(r.allowedLateness)}")
        if let l = s.latency {
            o.raw("latency_ms", "{\"p50\":\(Format.number(l.p50, decimals: 3)),\"p95\":\(Format.number(l.p95, decimals: 3)),\"p99\":\(Format.number(l.p99, decimals: 3))}")
        } else {
            o.raw("latency_ms", "null")
        }
        o.raw("alerts", "[" + r.alerts.map(alertJSON).joined(separator: ",") + "]")
        return o.finish()
    }

    /// A JSON array of top entries: `{"<name>": key, "count": n, "error": e}` (`error` 0: exact).
    private static func entries(_ list: ArraySlice<TopEntry>, _ name: String) -> String {
        "[" + list.map { "{\(JSONWriter.quote(name)):\(JSONWriter.quote($0.key)),\"count\":\($0.count),\"error\":\($0.error)}" }
            .joined(separator: ",") + "]"
    }

    /// The JSON form of an alert event (also the value of records on the `alerts` topic).
    public static func alertJSON(_ a: AlertEvent) -> String {
        var o = JSONWriter()
        o.field("id", a.id)
        o.field("rule", a.rule.rawValue)
        o.field("state", a.state.rawValue)
        o.raw("value", Format.number(a.value, decimals: 4))
        o.raw("threshold", Format.number(a.threshold, decimals: 4))
        o.field("unit", a.unit)
        o.field("window_s", a.window)
        o.field("time", CivilTime.iso8601(a.time))
        o.field("fired_at", CivilTime.iso8601(a.firedAt))
        if let off = a.offender { o.field("offender", off) } else { o.raw("offender", "null") }
        if let rate = a.rate {
            o.raw("rate", Format.number(rate, decimals: 4))
            o.field("rate_unit", a.rateUnit)
        }
        o.field("message", a.message)
        return o.finish()
    }

    /// `s` as a JSON string literal, every control character escaped.
    public static func jsonString(_ s: String) -> String { JSONWriter.quote(s) }
}

/// Builds one JSON object with keys in the order written.
struct JSONWriter {
    private var parts: [String] = []

    mutating func field(_ key: String, _ value: String) { parts.append("\(Self.quote(key)):\(Self.quote(value))") }
    mutating func field(_ key: String, _ value: Int) { parts.append("\(Self.quote(key)):\(value)") }
    mutating func raw(_ key: String, _ json: String) { parts.append("\(Self.quote(key)):\(json)") }
    func finish() -> String { "{" + parts.joined(separator: ",") + "}" }

    /// A JSON string literal; every control character is escaped.
    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || (0x7F...0x9F).contains(u.value) {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
