import Foundation
import LogtopCore
import LogtopKafka

/// Headless mode: writes reports as intervals close, alert events to stderr, and a one-line status
/// when stderr is a terminal; ends on `duration`, on a stop request (signal) or when finite sources are
/// done, then drains and writes the last partial interval and the total.
public struct BatchRunner {
    public var pipeline: Pipeline
    public var writer: ResultsWriter
    public var duration: Double?
    public var stopRequested: @Sendable () -> Bool
    public var log: (String) -> Void
    /// Print the progress line as a log line this often (seconds) even when stderr is not a terminal.
    public var progressEvery: Double?

    public init(pipeline: Pipeline, writer: ResultsWriter, duration: Double?, stopRequested: @escaping @Sendable () -> Bool,
                log: @escaping (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
        self.pipeline = pipeline
        self.writer = writer
        self.duration = duration
        self.stopRequested = stopRequested
        self.log = log
    }

    /// Runs until the end; returns the process exit code.
    public func run() -> Int32 {
        let start = Date()
        let tty = isatty(2) == 1
        var lastProgress = Date.distantPast
        var reason = "stopped"
        var skipsSaid = 0
        if let f = pipeline.config.filter { writer.writeFilterNote(f.text) }
        while true {
            drain(tty: tty, skipsSaid: &skipsSaid)
            if stopRequested() { reason = "signal"; break }
            if let d = duration, Date().timeIntervalSince(start) >= d { reason = "duration reached"; break }
            if pipeline.finiteRunComplete { reason = "input exhausted"; break }
            if let every = progressEvery, Date().timeIntervalSince(lastProgress) >= every {
                lastProgress = Date()
                log((tty ? "\r\u{1b}[K" : "") + "progress: " + Self.progressLine(pipeline.status()))
            } else if tty, progressEvery == nil, Date().timeIntervalSince(lastProgress) >= 0.5 {
                lastProgress = Date()
                FileHandle.standardError.write(Data(("\r\u{1b}[K" + Self.progressLine(pipeline.status())).utf8))
            }
            usleep(100_000)
        }
        if tty { FileHandle.standardError.write(Data("\r\u{1b}[K".utf8)) }
        pipeline.finish()
        drain(tty: false, skipsSaid: &skipsSaid)
        let s = pipeline.status()
        writer.writeKafkaSummary(s)
        log("logtop: \(reason); \(Self.summaryLine(s))")
        if let path = writer.textPath { log("logtop: statistics appended to \(path)") }
        return 0
    }

    /// Writes the reports and logs the alerts, source errors and replay gaps skipped (`skipsSaid`: the
    /// count of gaps said so far) since the last call.
    private func drain(tty: Bool, skipsSaid: inout Int) {
        let reports = pipeline.takeReports()
        if !reports.isEmpty { writer.write(reports) }
        for a in pipeline.takeAlerts() {
            log((tty ? "\r\u{1b}[K" : "") + "ALERT \(CivilTime.iso8601(a.time)) \(a.message)")
        }
        for e in pipeline.takeSourceErrors() { log("logtop: source error: \(e)") }
        if let r = pipeline.replayStatus, r.skips > skipsSaid, let skip = r.lastSkip {
            skipsSaid = r.skips
            log((tty ? "\r\u{1b}[K" : "") + "logtop: replay skipped a gap of \(skip.to - skip.from) s of log time "
                + "(\(CivilTime.iso8601(skip.from)) to \(CivilTime.iso8601(skip.to)))")
        }
    }

    /// `lines 12345 | 200.0 req/s | kafka produced 12345 delivered 12345 failed 0 | lag 3 | lost 0 | malformed 0`
    public static func progressLine(_ s: PipelineStatus) -> String {
        let snap = s.snapshot
        var parts = ["lines \(snap.linesSeen)", "\(Format.fixed(snap.averageRate, decimals: 1)) req/s"]
        parts.append("kafka produced \(s.producer.produced) delivered \(s.producer.delivered) failed \(s.producer.failed + s.producer.rejected)")
        parts.append("lag \(s.consumer.totalLag)")
        parts.append("lost \(s.consumer.lostLines)")
        parts.append("malformed \(snap.malformed) late \(snap.late)")
        if let r = s.replay {
            parts.append("replay \(Format.number(r.speed))x\(r.paused ? " paused" : "") log time \(r.logTime.map(CivilTime.iso8601) ?? "-")")
        }
        if let m = s.merge {
            parts.append("merged \(m.partials) partials from \(m.activeAnalyzers.count) analyzers")
            if m.gapRecords > 0 || m.overlapRecords > 0 { parts.append("UNCOVERED \(m.gapRecords) DOUBLE-COUNTED \(m.overlapRecords)") }
        }
        if !s.waitingSources.isEmpty { parts.append("WAITING: " + s.waitingSources.joined(separator: ", ")) }
        if !s.connected { parts.append("BROKER DOWN") }
        return parts.joined(separator: " | ")
    }

    /// `120 produced, 118 delivered, 2 failed (_MSG_TIMED_OUT: 2)`
    public static func deliveryText(_ p: ProducerStats) -> String {
        var text = "\(p.produced) produced, \(p.delivered) delivered, \(p.failed + p.rejected) failed"
        if !p.failuresByReason.isEmpty {
            text += " (" + p.failuresByReason.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + ")"
        }
        return text
    }

    public static func summaryLine(_ s: PipelineStatus) -> String {
        var text = "\(s.snapshot.linesSeen) lines analysed (\(s.snapshot.malformed) malformed, \(s.snapshot.late) late); "
        // A merged view produces nothing and reads only partial aggregates: the members' figures matter.
        if s.merge == nil || s.producer.produced > 0 {
            text += "Kafka: \(Self.deliveryText(s.producer)), \(s.consumer.lostLines) lost; "
        }
        text += "\(s.alertsPublished) alert events published"
        if s.alertsReplayed > 0 { text += " (\(s.alertsReplayed) replayed ones not repeated)" }
        if let m = s.merge {
            text += "; merged \(m.partials) partials from \(m.analyzers.count) analyzers"
            if !m.analyzers.isEmpty { text += " (" + m.analyzers.map(ResultsWriter.describe).joined(separator: ", ") + ")" }
            if m.gapRecords > 0 || m.overlapRecords > 0 { text += ", \(m.gapRecords) uncovered, \(m.overlapRecords) double-counted" }
        }
        return text
    }
}
