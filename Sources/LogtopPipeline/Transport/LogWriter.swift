import Foundation
import LogtopKafka
import Synchronization

/// The hand-over from the sources to Kafka: source lines become records of the `logs` topic (a batch
/// of lines per record, see `LineBatch`), with back-pressure so that sources cannot outrun the
/// analyzer through the broker's retention. Every count here is in lines.
///
/// Lines of a file, stdin or a TCP stream are keyed by their source and go to one partition (chosen
/// from the source's name), so they reach the analyzer in the order they were written (event time
/// stays ordered); generated lines are spread over every partition, a record to each in turn. Each
/// record says the number of its first line among this run's lines in its partition
/// (`LogHeaders.seq`), so that a consumer counts the lines of records lost in between.
final class LogWriter: Sendable {
    let producer: LogProducer
    private let topic: String
    /// Value of the `logtop-run` header of this run's records.
    let runID: [UInt8]
    /// Lines produced but not yet analysed before sources wait; `nil`: nobody analyses here
    /// (`logtop generate`), so nobody is waited for.
    private let maxBacklog: Int?
    private let lifecycle: LifecycleCell
    /// `maxBacklog` in bytes of lines, at the average line length so far.
    private let maxBacklogBytes: Int
    /// Bytes of the lines our sources handed to Kafka (newlines between lines of a record included).
    private let producedBytes = Atomic<Int>(0)
    /// Lines our sources handed to Kafka, and lines of this run the analyzer has taken.
    let produced = Atomic<Int>(0)
    let consumed = Atomic<Int>(0)
    /// Some source waits for the analyzer now.
    let backPressured = Atomic<Bool>(false)
    /// Signalled by the analyzer whenever it has taken lines of this run.
    private let analyzerProgress = Wakeup()
    /// Every source started, in order.
    private let trackers = Mutex<[SourceTracker]>([])
    /// The topic's partitions, each with the number of the next line this run writes there; empty when
    /// the partition count is not known (records then go where the producer puts them, unnumbered).
    private let lanes: [Lane]
    /// The partition of the next generated record.
    private let nextLane = Atomic<Int>(0)

    final class Lane: Sendable {
        /// The numbers of the next line and of the next record this run writes to the partition.
        let next = Mutex<(line: Int64, record: Int64)>((0, 0))
    }

    init(producer: LogProducer, topic: String, partitions: Int?, maxBacklog: Int?, maxBacklogBytes: Int = 4 << 20,
         lifecycle: LifecycleCell) {
        self.maxBacklogBytes = maxBacklogBytes
        self.producer = producer
        self.topic = topic
        lanes = (0..<(partitions ?? 0)).map { _ in Lane() }
        self.maxBacklog = maxBacklog
        self.lifecycle = lifecycle
        var rng = SystemRandomNumberGenerator()
        runID = Array(String(rng.next() & 0xFFFF_FFFF_FFFF, radix: 16).utf8)
    }

    func register(_ tracker: SourceTracker) { trackers.withLock { $0.append(tracker) } }

    var sources: [SourceStatus] { trackers.withLock { $0 }.map { $0.status() } }

    /// The analyzer took `n` lines of this run.
    func analysed(_ n: Int) {
        guard n > 0 else { return }
        consumed.add(n, ordering: .releasing)
        analyzerProgress.signal()
    }

    /// Wakes sources waiting for the analyzer, so that they notice a stop at once.
    func wakeWaitingSources() { analyzerProgress.signal() }

    /// Lines produced and not analysed yet.
    var backlog: Int { produced.load(ordering: .relaxed) - consumed.load(ordering: .relaxed) }

    /// Hands one line to Kafka as a record of its own, waiting while the analyzer is too far behind or
    /// the producer queue is full (the source says which in its status). Returns false when the
    /// pipeline is stopping. A line `LineSplitter` cut is marked so (`LogHeaders.cut`).
    func write(_ line: UnsafeRawBufferPointer, from source: SourceTracker) -> Bool {
        produce(line, lines: 1, cut: LineSplitter.isCut(line), from: source)
    }

    /// Hands a batch of lines to Kafka as one record (see `LineBatch`), waiting as `write(_:from:)`
    /// does, and empties it. Returns false when the pipeline is stopping.
    func write(_ batch: LineBatch, from source: SourceTracker) -> Bool {
        guard !batch.isEmpty else { return true }
        defer { batch.removeAll() }
        return batch.bytes.withUnsafeBytes { produce($0, lines: batch.lines, cut: false, from: source) }
    }

    private func produce(_ value: UnsafeRawBufferPointer, lines: Int, cut: Bool, from source: SourceTracker) -> Bool {
        var headers = [KafkaHeader(name: LogHeaders.run, value: runID), KafkaHeader(name: LogHeaders.source, value: source.nameBytes)]
        if cut { headers.append(KafkaHeader(name: LogHeaders.cut, value: [0x31])) }
        guard waitForAnalyzer(source) else { return false }
        var queueWait = false
        defer { if queueWait { source.setWaiting(nil) } }
        let lane = lanes.isEmpty ? nil : source.keyed ? Self.partition(of: source.nameBytes, among: lanes.count)
                                                       : nextLane.wrappingAdd(1, ordering: .relaxed).oldValue % lanes.count
        func send() -> ProduceOutcome {
            source.keyed
                ? source.nameBytes.withUnsafeBytes { producer.produce(topic: topic, partition: lane.map(Int32.init), key: $0, value: value, headers: headers, lines: lines) }
                : producer.produce(topic: topic, partition: lane.map(Int32.init), key: nil, value: value, headers: headers, lines: lines)
        }
        while true {
            let outcome: ProduceOutcome
            if let lane {
                // Numbered and enqueued under the partition's lock: the partition holds them in number order.
                outcome = lanes[lane].next.withLock { next in
                    headers.append(KafkaHeader(name: LogHeaders.seq, value: LogHeaders.seqValue(line: next.line, record: next.record)))
                    defer { headers.removeLast() }
                    let outcome = send()
                    if case .enqueued = outcome {
                        next.line += Int64(lines)
                        next.record += 1
                    }
                    return outcome
                }
            } else {
                outcome = send()
            }
            switch outcome {
            case .enqueued:
                producedBytes.add(value.count, ordering: .relaxed)
                produced.add(lines, ordering: .relaxed)
                source.countLines(lines)
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

    /// The partition of a keyed source: FNV-1a of its name (stable from run to run).
    static func partition(of name: [UInt8], among count: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(hash % UInt64(max(count, 1)))
    }

    /// Waits while more than `maxBacklog` lines are not analysed; false when the pipeline stops meanwhile.
    private func waitForAnalyzer(_ source: SourceTracker) -> Bool {
        guard let maxLines = maxBacklog else { return true }
        // The bound in lines, or fewer lines when they are long (see `PipelineConfig.maxBacklogBytes`).
        let lines = produced.load(ordering: .relaxed)
        let average = lines > 0 ? max(1, producedBytes.load(ordering: .relaxed) / lines) : 1
        let maxBacklog = max(1, min(maxLines, maxBacklogBytes / average))
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
