import Foundation
import LogtopCore
import LogtopKafka
@testable import LogtopPipeline
import LogtopTestSupport
import Testing

/// `MetricsExposition` on statuses a local run never has (failures by reason, a member, a merged
/// view, odd source names), validated by prometheus_client's parsers; `MetricsRequest`'s reading of a
/// request head.
@Suite struct MetricsExpositionTests {
    static func status() -> PipelineStatus {
        var engine = AnalysisEngine()
        for i in 0..<50 {
            engine.ingest(line: "10.0.0.\(i % 3) - - [05/Dec/2026:10:00:\(String(format: "%02d", i / 5)) +0000] \"GET /a HTTP/1.1\" \(i % 10 == 0 ? 500 : 200) 10 \"-\" \"t\" 0.020")
        }
        engine.ingest(line: "garbage")
        engine.tick(now: 1_796_464_900)
        var merge = MergeStatus()
        merge.partials = 7
        merge.analyzers = [AnalyzerStatus(member: "a", lag: 12, partitions: [0, 1], lines: 30, lastSeenMs: 1, active: true),
                           AnalyzerStatus(member: "b\"\\x", lag: 0, partitions: [2], lines: 20, lastSeenMs: 1, active: false)]
        var member = MemberStatus()
        member.member = "a"
        member.lines = 30
        return PipelineStatus(
            broker: "secret-broker.example:9093", embedded: false, connected: true,
            producer: ProducerStats(produced: 10, delivered: 7, failed: 2, failuresByReason: ["_MSG_TIMED_OUT": 2]),
            consumer: { var c = ConsumerStats(consumed: 9, lostRecords: 1); c.consumedLines = 900; c.lostLines = 120; return c }(), ownProduced: 10, ownConsumed: 9, alertsPublished: 1,
            alertsFailed: 0, generator: GeneratorState(), backPressured: false, activeSources: 1, lastKafkaError: nil,
            snapshot: engine.snapshot(),
            sources: [SourceStatus(name: "file:/var/log/a \"b\".log", lines: 10, state: .reconnecting(at: 5), waiting: .kafka)],
            member: member, merge: merge)
    }

    @Test func bothFormatsParseWithEveryFamilyOfAMergedViewAndMember() throws {
        let status = Self.status()
        for openMetrics in [false, true] {
            let text = MetricsExposition.render(status, openMetrics: openMetrics)
            #expect(!text.contains("secret-broker"), "no broker address in the metrics")
            let families = try MetricsEndpointTests.parse(text, openMetrics: openMetrics)
            let samples = families.flatMap(\.samples)
            func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
                samples.first { s in s.name == name && labels.allSatisfy { s.labels[$0.key] == $0.value } }?.value
            }
            #expect(value("logtop_http_requests_total", ["code": "500"]) == 5)
            #expect(value("logtop_http_requests_total", ["code": "200", "class": "2xx"]) == 45)
            #expect(value("logtop_malformed_lines_total") == 1)
            #expect(value("logtop_kafka_delivery_failures_total", ["reason": "_MSG_TIMED_OUT"]) == 2)
            #expect(value("logtop_kafka_in_flight_records") == 1)
            #expect(value("logtop_kafka_lost_records_total") == 1)
            #expect(value("logtop_kafka_lost_lines_total") == 120)
            #expect(value("logtop_kafka_consumed_lines_total") == 900)
            #expect(value("logtop_source_state", ["source": "file:/var/log/a \"b\".log", "state": "reconnecting"]) == 1)
            #expect(value("logtop_source_waiting", ["source": "file:/var/log/a \"b\".log"]) == 1)
            #expect(value("logtop_merge_members") == 1)
            #expect(value("logtop_merge_member_lag_records", ["member": "a"]) == 12)
            #expect(value("logtop_merge_member_active", ["member": "b\"\\x"]) == 0)
            #expect(value("logtop_member_lines_total") == 30)
            #expect(value("logtop_alert_value", ["rule": "error_rate"]) != nil, "\(text)")
            // Every metric the Grafana dashboard queries is rendered for a merged view.
            let dashboard = try String(contentsOfFile: MetricsEndpointTests.root + "/docs/grafana/logtop.json", encoding: .utf8)
            let names = Set(samples.map(\.name))
            for name in Set(dashboard.matches(of: /logtop_[a-z0-9_]+/).map { String($0.output) }) {
                #expect(names.contains(name), "\(name)")
            }
        }
    }

    @Test func countersOnlyGrowAndEndAtTheTotal() {
        var engine = AnalysisEngine()
        var previous = RunCounters()
        for i in 0..<400 {
            engine.ingest(line: "10.0.0.1 - - [05/Dec/2026:10:\(String(format: "%02d:%02d", i / 60 / 2, (i / 2) % 60)) +0000] \"GET /a HTTP/1.1\" \(200 + i % 3) \(i) \"-\" \"t\" 0.001")
            if i % 37 == 0 { engine.tick(now: 1_796_464_800 + Int64(i)) }
            let now = engine.runCounters()
            #expect(now.requests >= previous.requests && now.bytes >= previous.bytes && now.latency.total >= previous.latency.total)
            previous = now
        }
        let last = engine.runCounters()
        let total = engine.finish().last!
        #expect(total.isTotal)
        #expect(last.requests == total.summary.requests && last.bytes == total.summary.bytes)
        #expect(last.status == total.summary.status)
    }

    /// Methods: the standard ones by name (exact spelling), anything else, or none, as `other`.
    @Test func methodsAreCountedInAFixedSet() {
        var engine = AnalysisEngine()
        let requests = ["GET /a HTTP/1.1", "POST /a HTTP/1.1", "get /a HTTP/1.1", "GETS /a HTTP/1.1", "-", "OPTIONS * HTTP/1.1",
                        "CONNECT h:443 HTTP/1.1", "TRACE / HTTP/1.1", "PATCH /a HTTP/1.1", "PUT /a HTTP/1.1", "PURGE /a HTTP/1.1",
                        "HEAD / HTTP/1.1", "DELETE /a HTTP/1.1", "PATCHY /a HTTP/1.1"]
        for r in requests { engine.ingest(line: "10.0.0.1 - - [05/Dec/2026:10:00:00 +0000] \"\(r)\" 200 1") }
        let m = engine.runCounters().methods
        let expected: [HTTPMethod: Int] = [.get: 1, .post: 1, .options: 1, .connect: 1, .trace: 1, .patch: 1, .put: 1, .head: 1,
                                           .delete: 1, .other: 5]
        for k in HTTPMethod.allCases { #expect(m[k.rawValue] == expected[k, default: 0], "\(k.name)") }
        #expect(m.reduce(0, +) == engine.runCounters().requests)
    }

    @Test func requestHeads() {
        func head(_ s: String) -> MetricsRequest { MetricsRequest(head: Array(s.utf8)) }
        #expect(head("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n") == .metrics(openMetrics: false))
        #expect(head("GET /metrics?x=1 HTTP/1.0\r\nAccept: application/openmetrics-text;version=1.0.0\r\n\r\n") == .metrics(openMetrics: true))
        #expect(head("GET / HTTP/1.1\r\n\r\n") == .notFound)
        #expect(head("DELETE /metrics HTTP/1.1\r\n\r\n") == .methodNotAllowed)
        #expect(head("hello\r\n\r\n") == .bad)
        #expect(head("GET /metrics HTTP/2\r\n\r\n") == .bad)
        #expect(head("GET  /metrics  HTTP/1.1\r\n\r\n") == .metrics(openMetrics: false))
        #expect(head("GET /metricsx HTTP/1.1\r\n\r\n") == .notFound)
        #expect(head("get /metrics HTTP/1.1\r\n\r\n") == .methodNotAllowed)
        #expect(head("GET /metrics HTTP/1.1\naccept: text/plain, Application/OpenMetrics-Text; version=1.0.0\n\n")
                == .metrics(openMetrics: true), "header names and media types are case-insensitive; bare LF line ends")
        #expect(head("GET /metrics HTTP/1.1\r\nX-Accept: application/openmetrics-text\r\n\r\n") == .metrics(openMetrics: false))
        #expect(MetricsRequest.headEnd(Array("GET / HTTP/1.1\r\n".utf8)) == nil)
        #expect(MetricsRequest.headEnd(Array("GET / HTTP/1.1\n\n".utf8)) == 16)
    }
}
