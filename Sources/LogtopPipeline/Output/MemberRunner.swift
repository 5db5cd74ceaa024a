import Foundation
import LogtopKafka

/// `logtop analyze`'s front end: a member has no screen and no results file; it logs what it does every
/// 5 s until `duration` or a stop request, then stops cleanly (publishing what it holds).
public struct MemberRunner {
    public var pipeline: Pipeline
    public var duration: Double?
    public var stopRequested: @Sendable () -> Bool
    public var log: (String) -> Void

    public init(pipeline: Pipeline, duration: Double?, stopRequested: @escaping @Sendable () -> Bool,
                log: @escaping (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
        self.pipeline = pipeline
        self.duration = duration
        self.stopRequested = stopRequested
        self.log = log
    }

    public func run() {
        let c = pipeline.config
        let id = pipeline.status().member?.member ?? "?"
        log("logtop analyze: member \(id) of group \(c.group) at \(pipeline.embedded ? "embedded Kafka broker" : "Kafka brokers") \(pipeline.brokerAddress), publishing to \(c.metricsTopic)")
        let start = Date()
        var lastReport = Date()
        while !stopRequested() {
            if let duration, Date().timeIntervalSince(start) >= duration { break }
            usleep(100_000)  // the pace of a front end's loop: it only watches the clock and the signal flag
            if Date().timeIntervalSince(lastReport) >= 5 {
                lastReport = Date()
                log("logtop analyze: \(Self.statusLine(pipeline.status()))")
            }
        }
        pipeline.finish(drainTimeout: 5)
        log("logtop analyze: stopped: \(Self.statusLine(pipeline.status()))")
    }

    /// `a: 1200 lines, 3 partials published (12 KiB); partitions [0,1], lag 0, 0 lost`
    public static func statusLine(_ s: PipelineStatus, now: Date = Date()) -> String {
        let m = s.member ?? MemberStatus()
        let partitions = s.consumer.assignment.map { String($0.partition) }.joined(separator: ",")
        var text = "\(m.member): \(m.lines) lines, \(m.partials) partials published (\(m.bytes / 1024) KiB)"
        if m.failed > 0 { text += ", \(m.failed) FAILED" }
        text += "; partitions [\(partitions)], lag \(s.consumer.totalLag), \(s.consumer.lostLines) lost"
        // A recent error only: one refused commit during a rebalance is not news a minute later.
        if let e = s.lastKafkaError, now.timeIntervalSince(e.time) < 30 {
            text += "; Kafka error \(Int(now.timeIntervalSince(e.time)))s ago: \(e)"
        }
        return text
    }
}
