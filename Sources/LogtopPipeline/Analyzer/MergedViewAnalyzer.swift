import Foundation
import LogtopCore
import LogtopKafka

/// `--source none`: merges every member's partial aggregates from the metrics topic into one engine,
/// which evaluates the alert rules once; replays are skipped and holes or overlaps counted
/// (`MergeLedger`).
struct MergedViewAnalyzer: Analyzer {
    let consumer: LogConsumer
    let lifecycle: LifecycleCell
    let driver: EngineDriver

    func run() {
        var driver = driver
        driver.start()
        var merge = MergeLedger()
        var stopDeadline: Double?
        var idlePolls = 0
        while true {
            // When asked to stop, first merge what is already on the topic (up to 10 s).
            if lifecycle.current.analyzerShouldStop {
                let now = Date().timeIntervalSince1970
                if stopDeadline == nil { stopDeadline = now + 10 }
                if idlePolls >= 3 || now > stopDeadline! { break }
            }
            let taken = (try? consumer.poll(maxMessages: 1_000, timeoutMs: 50) { r in
                guard let partial = try? MetricsPartial(decoding: UnsafeRawBufferPointer(r.value)) else {
                    merge.countUndecodable()
                    return
                }
                if merge.admit(partial) { driver.engine.ingest(partial) }
            }) ?? 0
            idlePolls = taken == 0 ? idlePolls + 1 : 0
            let now = Date().timeIntervalSince1970
            _ = driver.applyCommands()
            driver.tickIfDue(now: now)
            if driver.snapshotIfDue(now: now, soon: taken > 0) {
                driver.handOver.publish(merge: merge.current(nowMs: Int64(now * 1000)))
            }
        }
        driver.handOver.publish(merge: merge.current(nowMs: Int64(Date().timeIntervalSince1970 * 1000)))
        driver.conclude()
    }
}
