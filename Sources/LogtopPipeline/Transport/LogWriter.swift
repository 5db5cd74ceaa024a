import Foundation
import LogtopKafka
import Synchronization

/// The hand-over from the sources to Kafka: every source line becomes one record of the `logs` topic,
/// with back-pressure so that sources cannot outrun the analyzer through the broker's retention.
///
/// Lines of a file, stdin or a TCP stream are keyed by their source, so they land in one partition and
/// reach the analyzer in the order they were written (event time stays ordered); generated lines are
/// spread over every partition.
final class LogWriter: Sendable {
    let producer: LogProducer
    private let topic: String
    /// Value of the `logtop-run` header of this run's records.
    let runID: [UInt8]
    /// Lines produced but not yet analysed before sources wait; `nil`: nobody analyses here
    /// (`logtop generate`), so nobody is waited for.
    private let maxBacklog: Int?
    private let lifecycle: LifecycleCell
    /// Lines our sources handed to Kafka, and lines of this run the analyzer has taken.
    let produced = Atomic<Int>(0)
    let consumed = Atomic<Int>(0)
    /// Some source waits for the analyzer now.
    let backPressured = Atomic<Bool>(false)
    /// Signalled by the analyzer whenever it has taken lines of this run.
    private let analyzerProgress = Wakeup()
    /// Every source started, in order.
    private let trackers = Mutex<[SourceTracker]>([])

    init(producer: LogProducer, topic: String, maxBacklog: Int?, lifecycle: LifecycleCell) {
        self.producer = producer
        self.topic = topic
        self.maxBacklog = maxBacklog
        self.lifecycle = lifecycle
        var rng = SystemRandomNumberGenerator()
        runID = Array(String(rng.next() & 0xFFFF_FFFF_FFFF, radix: 16).utf8)
    }

    func register(_ tracker: SourceTracker) { trackers.withLock { $0.append(tracker) } }

    var sources: [SourceStatus] { trackers.withLock { $0 }.map { $0.status() } }

    /// The analyzer took `n` records of this run.
    func analysed(_ n: Int) {
        guard n > 0 else { return }
        consumed.add(n, ordering: .releasing)
        analyzerProgress.signal()
    }

    /// Wakes sources waiting for the analyzer, so that they notice a stop at once.
    func wakeWaitingSources() { analyzerProgress.signal() }

    /// Lines produced and not analysed yet.
    var backlog: Int { produced.load(ordering: .relaxed) - consumed.load(ordering: .relaxed) }

    /// Hands one line to Kafka, waiting while the analyzer is too far behind or the producer queue is
    /// full (the source says which in its status). Returns false when the pipeline is stopping.
    func write(_ line: UnsafeRawBufferPointer, from source: SourceTracker) -> Bool {
        var headers = [KafkaHeader(name: LogHeaders.run, value: runID), KafkaHeader(name: LogHeaders.source, value: source.nameBytes)]
        if LineSplitter.isCut(line) { headers.append(KafkaHeader(name: LogHeaders.cut, value: [0x31])) }
        guard waitForAnalyzer(source) else { return false }
        var queueWait = false
        defer { if queueWait { source.setWaiting(nil) } }
        while true {
            let outcome = source.keyed
                ? source.nameBytes.withUnsafeBytes { producer.produce(topic: topic, key: $0, value: line, headers: headers) }
                : producer.produce(topic: topic, key: nil, value: line, headers: headers)
            switch outcome {
            case .enqueued:
                produced.add(1, ordering: .relaxed)
                source.countLine()
                return true
            case .queueFull:
                if lifecycle.sourcesShouldStop { return false }
                if !queueWait { source.setWaiting(.kafka); queueWait = true }
                // librdkafka has no "queue has room" notification: give its delivery thread a moment.
                usleep(1_000)
            case .rejected:
                return true  // counted by the producer as rejected, shown as failed
            }
        }
    }

    /// Waits while more than `maxBacklog` lines are not analysed; false when the pipeline stops meanwhile.
    private func waitForAnalyzer(_ source: SourceTracker) -> Bool {
        guard let maxBacklog else { return true }
        var waited = false
        defer { if waited { release(source) } }
        while true {
            // Produced minus analysed is an upper bound of the backlog: only when it is over the limit is it
            // worth taking the producer's stats (a lock and a copy) to subtract the failed lines.
            let unanalysed = backlog
            if unanalysed <= maxBacklog || unanalysed - producer.stats().failed <= maxBacklog { return true }
            if lifecycle.sourcesShouldStop { return false }
            if !waited {
                source.setWaiting(.analyzer)
                backPressured.store(true, ordering: .relaxed)
                waited = true
            }
            analyzerProgress.wait(seconds: 0.2)
        }
    }

    /// Ends a source's wait for the analyzer; the pipeline-wide flag stays up while another source waits.
    private func release(_ source: SourceTracker) {
        source.setWaiting(nil)
        let others = trackers.withLock { $0.contains { $0.waitingForAnalyzer } }
        backPressured.store(others, ordering: .relaxed)
    }
}
