import Foundation
import LogtopCore
import LogtopPipeline
import LogtopTUI

/// The dashboard sink: maps the pipeline's status to the dashboard's feed every frame and the
/// dashboard's commands to pipeline actions. Interval reports and alert events are drained and not
/// written anywhere (results.txt is the batch mode's job); alerts are on screen and in the alerts topic.
///
/// Returns the exit code. The terminal is restored before anything is printed.
func runDashboard(pipeline: Pipeline, duration: Double?, ascii: Bool = false) -> Int32 {
    let start = Date()
    let stop: () -> Bool = {
        stopSignal.load(ordering: .relaxed) || duration.map { Date().timeIntervalSince(start) >= $0 } ?? false
    }
    let terminal: CursesTerminal
    do {
        terminal = try CursesTerminal(ascii: ascii || ProcessInfo.processInfo.environment["LOGTOP_ASCII"] == "1")
    } catch {
        pipeline.finish(drainTimeout: 2)
        fail("\(error)")
    }
    var notice: (text: String, until: Date)?
    var failure: String?
    let feed = { () throws -> DashboardFeed in
        _ = pipeline.takeReports()
        _ = pipeline.takeAlerts()
        if let e = pipeline.takeSourceErrors().last { notice = ("source error: \(e)", Date().addingTimeInterval(15)) }
        if let n = notice, n.until < Date() { notice = nil }
        let status = pipeline.status()
        if let e = status.lastKafkaError, e.isFatal {
            throw DashboardError("Kafka: \(e)")
        }
        return dashboardFeed(status, notice: notice?.text)
    }
    do {
        _ = try DashboardLoop().run(terminal: terminal, feed: feed, send: { pipeline.send($0) },
                                    stopRequested: stop)
    } catch {
        failure = "\(error)"
    }
    terminal.restore()
    pipeline.finish(drainTimeout: 3)
    if let failure { fail(failure) }
    FileHandle.standardError.write(Data("logtop: \(BatchRunner.summaryLine(pipeline.status()))\n".utf8))
    return 0
}

/// What the dashboard shows, from what the pipeline knows.
func dashboardFeed(_ s: PipelineStatus, notice: String?, now: Date = Date()) -> DashboardFeed {
    let seconds = Int64(now.timeIntervalSince1970)
    var failures = s.producer.failuresByReason
    for (reason, n) in s.producer.rejectionsByReason { failures[reason, default: 0] += n }
    let g = s.generator
    var feed = DashboardFeed(
        snapshot: s.snapshot, broker: s.broker, embedded: s.embedded, connected: s.connected,
        produced: s.producer.produced, delivered: s.producer.delivered,
        failed: s.producer.failed + s.producer.rejected, inFlight: s.producer.inFlight,
        failuresByReason: failures, consumerLag: s.consumer.totalLag, lostLines: s.consumer.lostLines,
        alertsPublished: s.alertsPublished, alertsFailed: s.alertsFailed,
        generator: DashboardFeed.GeneratorInfo(
            enabled: g.enabled, rate: g.rate, paused: g.paused, scenario: g.scenario,
            scenarioSecondsLeft: g.scenarioUntil.map { Int(max(0, $0 - seconds)) }, generated: g.generated),
        backPressured: s.backPressured, lastKafkaError: s.lastKafkaError?.description, notice: notice, now: seconds,
        sources: s.sources.filter { $0.name != "generator" }.map {
            DashboardFeed.SourceInfo(name: $0.name, lines: $0.lines, state: $0.text(), waiting: $0.waiting != nil)
        })
    if let r = s.replay {
        feed.replay = DashboardFeed.ReplayInfo(speed: r.speed, paused: r.paused, ended: r.ended, logTime: r.logTime, skips: r.skips,
                                               lastSkipSeconds: r.lastSkip.map { $0.to - $0.from })
    }
    if let m = s.merge {
        feed.merged = DashboardFeed.MergedInfo(
            analyzers: m.analyzers.map {
                DashboardFeed.MergedInfo.Analyzer(
                    name: $0.member, lag: $0.lag, active: $0.active,
                    silentSeconds: Int(max(0, seconds - $0.lastSeenMs / 1000)), partitions: $0.partitions)
            },
            uncovered: m.gapRecords, doubleCounted: m.overlapRecords)
    }
    return feed
}

/// Fails at once, before Kafka is started, when the dashboard cannot run (no terminal).
func dashboardPreflight() {
    do { try CursesTerminal.preflight() } catch { fail("\(error)") }
}
