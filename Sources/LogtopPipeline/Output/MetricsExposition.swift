import Foundation
import LogtopCore
import LogtopKafka

/// Renders a `PipelineStatus` as Prometheus metrics: the text exposition format 0.0.4, or OpenMetrics
/// 1.0 (`openMetrics`: counter families named without `_total`, `# EOF` at the end). Pure: the same
/// status gives the same text. Every family has `# HELP` and `# TYPE`; names follow Prometheus
/// conventions (`_total` counters, seconds and bytes).
///
/// Labels are bounded: status code (at most 901 values), class, alert rule, source (the configured
/// sources), Kafka failure reason (librdkafka's error names), scale-out member. Nothing per path or
/// client: top lists are not metrics. No secret is ever part of the status this reads (the broker
/// address is not exported either).
public struct MetricsExposition {
    /// Upper bounds of the request-time histogram's buckets, seconds (the bucket of `+Inf` follows).
    public static let latencyBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    public let openMetrics: Bool
    private var out = ""

    private init(openMetrics: Bool) { self.openMetrics = openMetrics }

    /// The exposition of `status`.
    public static func render(_ status: PipelineStatus, openMetrics: Bool = false) -> String {
        var e = MetricsExposition(openMetrics: openMetrics)
        e.traffic(status.snapshot)
        e.alerts(status)
        e.kafka(status)
        e.sources(status.sources)
        if let m = status.member { e.member(m) }
        if let m = status.merge { e.merge(m) }
        if openMetrics { e.out += "# EOF\n" }
        return e.out
    }

    // MARK: - Families

    private mutating func traffic(_ s: Snapshot) {
        let run = s.run
        family("logtop_http_requests_total", .counter, "Requests analysed in this run, by status code and class (code 0: outside 100-999). Event-time data: equals the TOTAL of results.txt at the end of the run.")
        if run.status.isEmpty { sample("logtop_http_requests_total", ["code": "200", "class": "2xx"], 0) }
        for c in run.status {
            sample("logtop_http_requests_total", ["code": String(c.code), "class": c.code == 0 ? "other" : "\(c.code / 100)xx"], Double(c.count))
        }
        // Methods are counted by the engine that parsed the lines: a merged view (which merges
        // partial aggregates) has none, and leaves the family out rather than show zeros.
        if run.requests == 0 || run.methods.contains(where: { $0 > 0 }) {
            family("logtop_http_requests_by_method_total", .counter, "Requests analysed in this run by method (the standard methods, others as \"other\"); late lines included, as in the TOTAL.")
            for m in HTTPMethod.allCases {
                sample("logtop_http_requests_by_method_total", ["method": m.name], Double(run.methods[m.rawValue]))
            }
        }
        family("logtop_http_response_bytes_total", .counter, "Response bytes of the requests analysed in this run.")
        sample("logtop_http_response_bytes_total", [:], Double(run.bytes))
        histogram(run.latency)
        family("logtop_malformed_lines_total", .counter, "Lines that could not be parsed as an access log line, in this run.")
        sample("logtop_malformed_lines_total", [:], Double(run.malformed))
        family("logtop_late_lines_total", .counter, "Lines that arrived after their report interval was written (counted in the TOTAL only).")
        sample("logtop_late_lines_total", [:], Double(run.late))
        family("logtop_unique_clients", .gauge, "Estimated distinct clients of the run so far (HyperLogLog).")
        sample("logtop_unique_clients", [:], Double(run.uniqueClients))
        family("logtop_window_unique_clients", .gauge, "Estimated distinct clients in the sliding window.")
        sample("logtop_window_unique_clients", [:], Double(s.window.uniqueClients))
        family("logtop_window_request_duration_seconds", .gauge, "Request time percentiles over the sliding window (the dashboard's p50/p95/p99).")
        if let l = s.window.latency {
            for (q, v) in [("0.5", l.p50), ("0.95", l.p95), ("0.99", l.p99)] {
                sample("logtop_window_request_duration_seconds", ["quantile": q], v / 1000)
            }
        }
        family("logtop_window_requests_per_second", .gauge, "Average requests per second over the sliding window.")
        sample("logtop_window_requests_per_second", [:], s.averageRate)
        family("logtop_window_error_ratio", .gauge, "Share of 5xx responses in the sliding window, 0-1.")
        sample("logtop_window_error_ratio", [:], s.window.errorRate)
        family("logtop_window_seconds", .gauge, "Length of the sliding window.")
        sample("logtop_window_seconds", [:], Double(s.windowSeconds))
        family("logtop_event_time_seconds", .gauge, "Newest event time seen (Unix seconds).")
        if let t = s.eventTime { sample("logtop_event_time_seconds", [:], Double(t)) }
        family("logtop_watermark_seconds", .gauge, "Event time up to which seconds are final (Unix seconds).")
        if let t = s.watermark { sample("logtop_watermark_seconds", [:], Double(t)) }
    }

    private mutating func histogram(_ h: LatencyHistogram) {
        let name = "logtop_http_request_duration_seconds"
        family(name, .histogram, "Request time of the requests that logged one, in this run (bucket bounds rounded up to the histogram's 1.6 % resolution; _sum estimated from bucket midpoints).")
        for b in Self.latencyBuckets {
            sample(name + "_bucket", ["le": Self.canonical(b)], Double(h.count(atMost: Int64((b * 1_000_000).rounded()))))
        }
        sample(name + "_bucket", ["le": "+Inf"], Double(h.total))
        sample(name + "_sum", [:], h.estimatedSumMicros / 1_000_000)
        sample(name + "_count", [:], Double(h.total))
    }

    private mutating func alerts(_ s: PipelineStatus) {
        let snap = s.snapshot
        family("logtop_alert_value", .gauge, "Each alert rule's measured value at the last final second, in the rule's unit (absent without enough data).")
        for r in snap.rules { if let v = snap.ruleValues[r.kind] { sample("logtop_alert_value", ["rule": r.kind.rawValue], v) } }
        family("logtop_alert_threshold", .gauge, "Each alert rule's threshold, in the rule's unit.")
        for r in snap.rules { sample("logtop_alert_threshold", ["rule": r.kind.rawValue], r.threshold) }
        family("logtop_alert_enabled", .gauge, "1 when the alert rule is enabled.")
        for r in snap.rules { sample("logtop_alert_enabled", ["rule": r.kind.rawValue], r.enabled ? 1 : 0) }
        family("logtop_alert_firing", .gauge, "1 while the alert rule fires.")
        for r in snap.rules {
            sample("logtop_alert_firing", ["rule": r.kind.rawValue], snap.active.contains { $0.rule == r.kind } ? 1 : 0)
        }
        family("logtop_alerts_published_total", .counter, "Alert events published to the alerts topic by this process.")
        sample("logtop_alerts_published_total", [:], Double(s.alertsPublished))
        family("logtop_alerts_publish_failures_total", .counter, "Alert events that could not be published.")
        sample("logtop_alerts_publish_failures_total", [:], Double(s.alertsFailed))
    }

    private mutating func kafka(_ s: PipelineStatus) {
        let p = s.producer, c = s.consumer
        counter("logtop_kafka_produced_records_total", "Log lines accepted into the Kafka producer's queue by this process.", p.produced)
        counter("logtop_kafka_delivered_records_total", "Log lines acknowledged by the Kafka cluster (acks=all).", p.delivered)
        counter("logtop_kafka_failed_records_total", "Log lines whose delivery failed permanently.", p.failed)
        family("logtop_kafka_delivery_failures_total", .counter, "Log lines whose delivery failed permanently, by librdkafka error name (e.g. _MSG_TIMED_OUT).")
        for (reason, n) in p.failuresByReason.sorted(by: { $0.key < $1.key }) {
            sample("logtop_kafka_delivery_failures_total", ["reason": reason], Double(n))
        }
        counter("logtop_kafka_rejected_records_total", "Log lines the producer refused at once (not produced).", p.rejected)
        family("logtop_kafka_rejections_total", .counter, "Log lines the producer refused at once, by librdkafka error name.")
        for (reason, n) in p.rejectionsByReason.sorted(by: { $0.key < $1.key }) {
            sample("logtop_kafka_rejections_total", ["reason": reason], Double(n))
        }
        counter("logtop_kafka_queue_full_total", "Times the producer's local queue was full (back-pressure; nothing lost).", p.queueFull)
        gauge("logtop_kafka_in_flight_records", "Log lines produced and neither acknowledged nor failed yet.", Double(p.inFlight))
        counter("logtop_kafka_consumed_records_total", "Records the analyzer consumed from the logs topic.", c.consumed)
        counter("logtop_kafka_consumed_lines_total", "Log lines in the records the analyzer consumed (logtop's own records hold several).", c.consumedLines)
        counter("logtop_kafka_lost_records_total", "Records of the logs topic that disappeared before they were consumed (offset gaps: retention, truncation).", Int(c.lostRecords))
        counter("logtop_kafka_lost_lines_total", "Log lines in the records lost (counted from logtop's line numbers where both sides of a gap carry them, else one per record).", Int(c.lostLines))
        gauge("logtop_kafka_consumer_lag_records", "Records of the assigned partitions not consumed yet.", Double(c.totalLag))
        counter("logtop_kafka_commits_total", "Offset commits.", c.commits)
        counter("logtop_kafka_commit_failures_total", "Offset commits that failed.", c.commitFailures)
        gauge("logtop_kafka_connected", "0 while the last Kafka error says no broker can be reached.", s.connected ? 1 : 0)
        gauge("logtop_kafka_embedded", "1 when logtop runs its own in-process Kafka cluster.", s.embedded ? 1 : 0)
        gauge("logtop_backlog_lines", "Lines this process's sources produced that the analyzer has not taken yet.", Double(s.backlog))
        counter("logtop_analyzed_lines_total", "Lines the analyzer parsed or found malformed (engine input, including other producers' lines).", s.snapshot.linesSeen)
    }

    /// The state names of `logtop_source_state`.
    static let sourceStates = ["starting", "generating", "reading", "following", "waiting_for_file", "connecting", "connected",
                               "reconnecting", "done", "stopped", "failed"]

    static func stateName(_ s: SourceState) -> String {
        switch s {
        case .starting: return "starting"
        case .generating: return "generating"
        case .reading: return "reading"
        case .following: return "following"
        case .waitingForFile: return "waiting_for_file"
        case .connecting: return "connecting"
        case .connected: return "connected"
        case .reconnecting: return "reconnecting"
        case .done: return "done"
        case .stopped: return "stopped"
        case .failed: return "failed"
        }
    }

    private mutating func sources(_ sources: [SourceStatus]) {
        family("logtop_source_lines_total", .counter, "Lines each source handed to Kafka.")
        for s in sources { sample("logtop_source_lines_total", ["source": s.name], Double(s.lines)) }
        family("logtop_source_state", .gauge, "1 for each source's current state.")
        for s in sources {
            let now = Self.stateName(s.state)
            for state in Self.sourceStates { sample("logtop_source_state", ["source": s.name, "state": state], state == now ? 1 : 0) }
        }
        family("logtop_source_waiting", .gauge, "1 while the source is held back (by the analyzer's backlog or a full Kafka queue).")
        for s in sources { sample("logtop_source_waiting", ["source": s.name], s.waiting == nil ? 0 : 1) }
    }

    private mutating func member(_ m: MemberStatus) {
        counter("logtop_member_lines_total", "Lines this scale-out member aggregated.", m.lines)
        counter("logtop_member_partials_total", "Partial aggregates this member published.", m.partials)
        counter("logtop_member_partial_bytes_total", "Encoded bytes of the partial aggregates published.", m.bytes)
        counter("logtop_member_partial_failures_total", "Partial aggregates that could not be delivered.", m.failed)
    }

    private mutating func merge(_ m: MergeStatus) {
        counter("logtop_merge_partials_total", "Partial aggregates merged into this view.", m.partials)
        counter("logtop_merge_duplicate_partials_total", "Partials skipped because their records were already counted.", m.duplicates)
        counter("logtop_merge_gap_records_total", "Records no partial covered (missing from the merged view).", Int(m.gapRecords))
        counter("logtop_merge_overlap_records_total", "Records of partials that overlapped what was counted (should stay 0).", Int(m.overlapRecords))
        counter("logtop_merge_undecodable_total", "Metrics records that could not be decoded.", m.undecodable)
        gauge("logtop_merge_members", "Members that published lately (15 s).", Double(m.activeAnalyzers.count))
        family("logtop_merge_member_lag_records", .gauge, "Each member's consumer lag when it last published.")
        for a in m.analyzers { sample("logtop_merge_member_lag_records", ["member": a.member], Double(a.lag)) }
        family("logtop_merge_member_lines_total", .counter, "Lines each member counted, as merged here.")
        for a in m.analyzers { sample("logtop_merge_member_lines_total", ["member": a.member], Double(a.lines)) }
        family("logtop_merge_member_active", .gauge, "1 when the member published lately (15 s).")
        for a in m.analyzers { sample("logtop_merge_member_active", ["member": a.member], a.active ? 1 : 0) }
    }

    // MARK: - Writing

    enum Kind: String { case counter, gauge, histogram }

    private mutating func counter(_ name: String, _ help: String, _ value: Int) {
        family(name, .counter, help)
        sample(name, [:], Double(value))
    }

    private mutating func gauge(_ name: String, _ help: String, _ value: Double) {
        family(name, .gauge, help)
        sample(name, [:], value)
    }

    /// `# HELP` and `# TYPE` of a family; in OpenMetrics a counter family is named without `_total`.
    private mutating func family(_ name: String, _ kind: Kind, _ help: String) {
        let familyName = openMetrics && kind == .counter && name.hasSuffix("_total") ? String(name.dropLast(6)) : name
        out += "# HELP \(familyName) \(Self.escapeHelp(help))\n# TYPE \(familyName) \(kind.rawValue)\n"
    }

    private mutating func sample(_ name: String, _ labels: [String: String], _ value: Double) {
        out += name
        if !labels.isEmpty {
            out += "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(Self.escapeLabel($0.value))\"" }.joined(separator: ",") + "}"
        }
        out += " " + Self.number(value) + "\n"
    }

    /// A sample value: integers without a fraction, others as Swift prints them (which Go's
    /// `ParseFloat` reads), `NaN`, `+Inf`, `-Inf`.
    static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }

    /// A float in OpenMetrics' canonical form for `le` (`1.0`, `0.005`).
    static func canonical(_ v: Double) -> String { v == v.rounded() ? String(Int64(v)) + ".0" : String(v) }

    static func escapeLabel(_ s: String) -> String {
        var r = ""
        for ch in s {
            switch ch {
            case "\\": r += "\\\\"
            case "\"": r += "\\\""
            case "\n": r += "\\n"
            default: r.append(ch)
            }
        }
        return r
    }

    static func escapeHelp(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}
