import Foundation
import LogtopCore
import LogtopKafka

/// Consumes the `logs` topic in the consumer group and analyses every record here: the engine counts
/// it, the rules fire alerts (published once to the alerts topic), reports and snapshots go to the
/// front end. Offsets are stored once a batch is ingested and committed every second and at the end.
struct LocalAnalyzer: Analyzer {
    let consumer: LogConsumer
    let writer: LogWriter
    let lifecycle: LifecycleCell
    let driver: EngineDriver

    func run() {
        var driver = driver
        driver.start()
        var drainDeadline: Double?
        let runID = writer.runID
        while true {
            let now = Date().timeIntervalSince1970
            let life = lifecycle.current
            if life.crashed { return }  // as a killed process: no final publication, no commit
            if life.analyzerShouldStop {
                if drainDeadline == nil { drainDeadline = now + 30 }
                // Lines trimmed before they could be read are counted lost, not waited for.
                let accounted = writer.consumed.load(ordering: .acquiring) + Int(consumer.stats().lostLines)
                if life.analyzerMayEnd(consumed: accounted) || now > drainDeadline! { break }
            }
            // Records are read in place (no copy); their offsets are stored once the batch is ingested.
            var own = 0
            // A record holds one line or several (see RecordLines); `own` counts this run's lines.
            _ = try? consumer.pollLines(maxMessages: 5_000, timeoutMs: 50, storeOffsets: true) { r in
                let lines: Int
                if r.header(LogHeaders.cut) != nil {
                    driver.engine.ingestMalformed(.tooLong, line: r.value)
                    lines = 1
                } else {
                    lines = RecordLines.forEach(in: r.value) { driver.ingest(line: $0) }
                }
                let run = r.header(LogHeaders.run)
                if let run, run.elementsEqual(runID) { own += lines }
                return LogHeaders.mark(run: run, seq: r.header(LogHeaders.seq), lines: lines)
            }
            writer.analysed(own)
            let commanded = driver.applyCommands()
            driver.tickIfDue(now: now)
            driver.snapshotIfDue(now: now, force: commanded)
        }
        driver.conclude()
        try? consumer.commitSync()
    }
}
