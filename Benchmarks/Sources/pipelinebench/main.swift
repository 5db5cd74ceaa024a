// pipelinebench: the whole logtop pipeline through the embedded (librdkafka mock) Kafka cluster.
// See docs/benchmarks.md, "End to end through Kafka".
//
//     pipelinebench throughput [--lines N | --input FILE] [--files F] [--partitions P] [--backlog B]
//         N generated lines (LogCorpus: seed 1, 200 lines per second of event time, as `loggen N`) or FILE,
//         read by a `Pipeline` with one `file:` source per file (F > 1 splits the lines into F temporary
//         files): produced into `logs`, consumed by the analyzer into `AnalysisEngine`. Prints lines/s
//         from the first produced line to `finiteRunComplete` (every delivered line analysed), the same
//         from the first analysed line (without the group join), CPU per thread, and the accounting.
//     pipelinebench transport [--lines N | --input FILE] [--partitions P] [--backlog B] [-X key=value]...
//         The same lines through `LogProducer` → embedded cluster → `LogConsumer` with the pipeline's
//         headers and back-pressure, but no engine: the Kafka part alone. -X sets producer properties.
//     pipelinebench engine [--lines N | --input FILE]
//         The same lines through `AnalysisEngine.ingest` alone, in memory.
//     pipelinebench latency [--rate R] [--seconds S] [--warmup W] [--snapshot-ms M]
//         A `Pipeline` with a `stdin` source fed through a pipe at R lines/s (10,000) for W+S seconds;
//         every line's time of `write(2)` into the pipe is compared with the first moment a snapshot from
//         `Pipeline.status()` (polled every 1 ms) counts it (`Snapshot.linesSeen`). Lines of the first W
//         seconds are left out.
//     pipelinebench kafka-latency [--rate R] [--seconds S] [--warmup W] [--snapshot-ms M]
//         `LogProducer` → `LogConsumer` → `AnalysisEngine` wired by hand, like the analyzer loop, with a
//         monotonic produce time in a header: per-record produce-to-poll and produce-to-snapshot
//         latency (the snapshot that first includes the record, taken every M ms).
//
// The last line of output of every mode is machine-readable (`key=value ...`).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Foundation
import LogCorpus
import LogtopCore
import LogtopKafka
import LogtopPipeline
import Synchronization

// MARK: - Helpers

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("pipelinebench: \(message)\n".utf8))
    FileHandle.standardError.write(Data("""
        usage: pipelinebench throughput [--lines N | --input FILE] [--files F] [--partitions P] [--backlog B]
               pipelinebench transport [--lines N | --input FILE] [--partitions P] [--backlog B] [-X key=value]...
               pipelinebench engine [--lines N | --input FILE]
               pipelinebench latency [--rate R] [--seconds S] [--warmup W] [--snapshot-ms M]
               pipelinebench kafka-latency [--rate R] [--seconds S] [--warmup W] [--snapshot-ms M]

        """.utf8))
    exit(2)
}

func log(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

/// Monotonic nanoseconds.
func nowNanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// User + system CPU seconds of the whole process so far.
func cpuSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
}

func maxRSSKiB() -> Int {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Int(u.ru_maxrss)
}

func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
}

/// Per thread of this process: name, seconds on a CPU, seconds runnable but waiting for a CPU
/// (`/proc/self/task/*/schedstat`), busiest first. Waiting time shows how much other processes took.
func threadTimes() -> [(name: String, tid: String, cpu: Double, wait: Double)] {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    return tasks.compactMap { tid -> (String, String, Double, Double)? in
        guard let stat = try? String(contentsOfFile: "/proc/self/task/\(tid)/schedstat", encoding: .utf8) else { return nil }
        let f = stat.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard f.count >= 2 else { return nil }
        let name = (try? String(contentsOfFile: "/proc/self/task/\(tid)/comm", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
        return (name, tid, f[0] / 1e9, f[1] / 1e9)
    }.sorted { $0.2 > $1.2 }
}

/// Thread times sampled during a run, so that threads that ended (a finished source) still count.
final class ThreadSampler {
    private(set) var last: [String: (name: String, tid: String, cpu: Double, wait: Double)] = [:]
    private var lastSample: UInt64 = 0

    func sample(force: Bool = false) {
        let t = nowNanos()
        guard force || t - lastSample > 200_000_000 else { return }
        lastSample = t
        for row in threadTimes() { last[row.tid] = row }
    }
}

func describeThreads(_ before: [(name: String, tid: String, cpu: Double, wait: Double)], _ sampler: ThreadSampler? = nil) -> String {
    let base = Dictionary(before.map { ($0.tid, $0) }, uniquingKeysWith: { a, _ in a })
    sampler?.sample(force: true)
    let now = sampler.map { Array($0.last.values) } ?? threadTimes()
    let rows = now.map { t -> (String, Double, Double) in
        let b = base[t.tid]
        return ("\(t.name)#\(t.tid)", t.cpu - (b?.cpu ?? 0), t.wait - (b?.wait ?? 0))
    }.filter { $0.1 > 0.05 }.sorted { $0.1 > $1.1 }
    let cpu = rows.reduce(0) { $0 + $1.1 }, wait = rows.reduce(0) { $0 + $1.2 }
    return "threads (CPU s / waiting for a CPU s): " + rows.map { "\($0.0) \(fmt($0.1, 2))/\(fmt($0.2, 2))" }.joined(separator: ", ")
        + "; total \(fmt(cpu, 1))/\(fmt(wait, 1))"
}

func fmt(_ v: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", v) }

func kilo(_ v: Double) -> String { v >= 1e6 ? fmt(v / 1e6, 2) + " M" : fmt(v / 1e3, 1) + " K" }

/// The `q` quantile (0...1) of sorted values, nearest rank.
func quantile(_ sorted: [Double], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
}

func describeLatency(_ name: String, _ values: [Double]) -> (String, [String: String]) {
    let s = values.sorted()
    let p50 = quantile(s, 0.5), p90 = quantile(s, 0.9), p99 = quantile(s, 0.99), p999 = quantile(s, 0.999)
    let text = "\(name): n=\(s.count) min \(fmt(s.first ?? .nan)) p50 \(fmt(p50)) p90 \(fmt(p90)) "
        + "p99 \(fmt(p99)) p99.9 \(fmt(p999)) max \(fmt(s.last ?? .nan)) ms"
    return (text, ["\(name)_p50_ms": fmt(p50), "\(name)_p99_ms": fmt(p99), "\(name)_max_ms": fmt(s.last ?? .nan)])
}

struct Options {
    var mode = ""
    var lines = 2_000_000
    var files = 1
    var partitions = PipelineConfig().partitions
    var backlog = PipelineConfig().maxBacklog
    var rate = 10_000
    var seconds = 30
    var warmup = 5
    var snapshotMs = PipelineConfig().snapshotIntervalMs
    /// An existing log file (e.g. from `loggen`) instead of the generated corpus.
    var input: String?
    /// librdkafka producer properties for `transport` (`-X key=value`), to try settings.
    var producerOverrides: [String: String] = [:]

    init(_ arguments: [String]) {
        var args = arguments[...]
        guard let mode = args.popFirst() else { fail("no mode") }
        self.mode = mode
        while let a = args.popFirst() {
            func int() -> Int {
                guard let text = args.popFirst(), let v = Int(text.filter { $0 != "_" }), v >= 0 else { fail("bad value for \(a)") }
                return v
            }
            switch a {
            case "--lines": lines = int()
            case "--files": files = max(1, int())
            case "--partitions": partitions = max(1, int())
            case "--backlog": backlog = max(1, int())
            case "--rate": rate = max(1, int())
            case "--seconds": seconds = max(1, int())
            case "--warmup": warmup = int()
            case "--snapshot-ms": snapshotMs = max(1, int())
            case "-X":
                guard let kv = args.popFirst(), let eq = kv.firstIndex(of: "=") else { fail("-X needs key=value") }
                producerOverrides[String(kv[..<eq])] = String(kv[kv.index(after: eq)...])
            case "--input": guard let p = args.popFirst() else { fail("--input needs a path") }; input = p
            default: fail("unknown argument \(a)")
            }
        }
    }
}

func printResult(_ fields: [(String, String)]) {
    print(fields.map { "\($0.0)=\($0.1)" }.joined(separator: " "))
}

/// The lines of a run: generated (`LogCorpus`) or read from `--input`.
struct Lines {
    var bytes: [UInt8]
    var starts: [Int]
    var lineCount: Int { starts.count - 1 }

    init(_ o: Options) {
        if let path = o.input {
            guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
            bytes = [UInt8](data)
            starts = [0]
            starts.reserveCapacity(bytes.count / 200)
            for (i, b) in bytes.enumerated() where b == 0x0A { starts.append(i + 1) }
            if starts.last != bytes.count { bytes.append(0x0A); starts.append(bytes.count) }
            log("read \(starts.count - 1) lines from \(path)")
        } else {
            log("generating \(o.lines) lines...")
            let corpus = LogCorpus(lines: o.lines)
            bytes = corpus.bytes
            starts = corpus.starts
        }
    }

    func forEachLine(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        bytes.withUnsafeBufferPointer { all in
            starts.withUnsafeBufferPointer { s in
                for i in 0..<(s.count - 1) {
                    body(UnsafeBufferPointer(start: all.baseAddress! + s[i], count: s[i + 1] - s[i] - 1))
                }
            }
        }
    }
}

/// Lines (a last line without `\n` included) and bytes of a file, read in 4 MiB chunks.
func countLines(_ path: String) -> (lines: Int, bytes: Int) {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { fail("cannot read \(path)") }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 4 << 20)
    var lines = 0, bytes = 0, last: UInt8 = 0x0A
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { break }
        buffer.withUnsafeBufferPointer { b in for i in 0..<n where b[i] == 0x0A { lines += 1 } }
        bytes += n
        last = buffer[n - 1]
    }
    if last != 0x0A { lines += 1 }
    log("\(lines) lines in \(path)")
    return (lines, bytes)
}

// MARK: - engine

func runEngine(_ o: Options) {
    let corpus = Lines(o)
    var engine = AnalysisEngine(config: EngineConfig())
    let cpu0 = cpuSeconds()
    let t0 = nowNanos()
    corpus.forEachLine { engine.ingest(line: $0) }
    let snapshot = engine.snapshot()
    let seconds = Double(nowNanos() - t0) / 1e9
    let cpu = cpuSeconds() - cpu0
    print("engine only: \(corpus.lineCount) lines in \(fmt(seconds, 2)) s = \(kilo(Double(corpus.lineCount) / seconds)) lines/s, "
        + "\(kilo(Double(corpus.lineCount) / cpu)) lines per CPU-second, linesSeen \(snapshot.linesSeen)")
    printResult([("mode", "engine"), ("lines", "\(corpus.lineCount)"), ("seconds", fmt(seconds, 3)),
                 ("lines_per_second", fmt(Double(corpus.lineCount) / seconds, 0)), ("cpu_seconds", fmt(cpu, 2)),
                 ("load", "\"\(loadAverage())\"")])
}

// MARK: - throughput (the real Pipeline, file sources)

func writeCorpusFiles(_ corpus: Lines, files: Int) -> (dir: String, paths: [String]) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pipelinebench-\(getpid())").path
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    var paths: [String] = []
    let perFile = (corpus.lineCount + files - 1) / files
    corpus.bytes.withUnsafeBytes { bytes in
        for f in 0..<files {
            let first = min(f * perFile, corpus.lineCount), last = min((f + 1) * perFile, corpus.lineCount)
            let path = "\(dir)/part\(f).log"
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { fail("cannot write \(path)") }
            var at = corpus.starts[first]
            let end = corpus.starts[last]
            while at < end {
                let n = write(fd, bytes.baseAddress! + at, end - at)
                guard n > 0 else { fail("cannot write \(path)") }
                at += n
            }
            close(fd)
            paths.append(path)
        }
    }
    return (dir, paths)
}

func runThroughput(_ o: Options) throws {
    let lineCount: Int, byteCount: Int, paths: [String], dir: String?
    if let input = o.input, o.files == 1 {
        // Use the file as it is (count its lines, which also puts it in the page cache).
        let (lines, bytes) = countLines(input)
        (lineCount, byteCount, paths, dir) = (lines, bytes, [input], nil)
    } else {
        let corpus = Lines(o)
        let written = writeCorpusFiles(corpus, files: o.files)
        (lineCount, byteCount, paths, dir) = (corpus.lineCount, corpus.bytes.count, written.paths, written.dir)
    }
    defer { if let dir { try? FileManager.default.removeItem(atPath: dir) } }

    var config = PipelineConfig()
    config.sources = paths.map { .file($0) }
    config.partitions = o.partitions
    config.maxBacklog = o.backlog
    config.snapshotIntervalMs = o.snapshotMs
    let load0 = loadAverage()
    let threads0 = threadTimes()
    let sampler = ThreadSampler()
    let cpu0 = cpuSeconds()
    let tInit = nowNanos()
    let pipeline = try Pipeline(config: config)
    var firstProduced: UInt64?
    var firstConsumed: UInt64?
    var consumedAtFirst = 0
    var lastReport = nowNanos()
    var lastConsumed = 0
    var peakBacklog = 0
    let deadline = tInit + 600 * 1_000_000_000
    while !pipeline.finiteRunComplete {
        let s = pipeline.status()
        let t = nowNanos()
        if firstProduced == nil, s.ownProduced > 0 { firstProduced = t }
        if firstConsumed == nil, s.ownConsumed > 0 { firstConsumed = t; consumedAtFirst = s.ownConsumed }
        peakBacklog = max(peakBacklog, s.backlog)
        if t - lastReport >= 1_000_000_000 {
            let rate = Double(s.ownConsumed - lastConsumed) / (Double(t - lastReport) / 1e9)
            log("  produced \(s.ownProduced) delivered \(s.producer.delivered) consumed \(s.ownConsumed) "
                + "(\(kilo(rate)) lines/s) backlog \(s.backlog) lag \(s.consumer.totalLag) lost \(s.consumer.lostRecords) "
                + "queueFull \(s.producer.queueFull) waiting \(s.waitingSources.count)")
            lastReport = t
            lastConsumed = s.ownConsumed
        }
        if t > deadline { log("timed out"); break }
        // Records trimmed before they were read never reach the analyzer: stop once the rest has.
        if s.consumer.lostRecords > 0, s.activeSources == 0, s.producer.inFlight == 0,
           s.ownConsumed + Int(s.consumer.lostRecords) >= s.producer.delivered { log("records were lost"); break }
        sampler.sample()
        usleep(firstConsumed == nil ? 1_000 : 5_000)
    }
    let tEnd = nowNanos()
    let cpu = cpuSeconds() - cpu0
    let threads = describeThreads(threads0, sampler)
    pipeline.finish()
    let s = pipeline.status()
    let fp = firstProduced ?? tInit, fc = firstConsumed ?? tInit
    let whole = Double(tEnd - fp) / 1e9
    let steady = Double(tEnd - fc) / 1e9
    let steadyLines = s.ownConsumed - consumedAtFirst
    let analysed = s.snapshot.linesSeen
    let ok = s.producer.produced == lineCount && s.producer.delivered == lineCount
        && s.producer.failed == 0 && s.consumer.lostRecords == 0 && s.ownConsumed == s.producer.delivered
        && analysed == s.producer.delivered && s.consumer.rewinds == 0
    print("""
        end to end (Pipeline, \(o.files) file source(s), \(o.partitions) partitions, backlog \(o.backlog), embedded cluster):
          \(lineCount) lines, \(fmt(Double(byteCount) / 1_048_576)) MiB
          start-up (cluster, topics, group join) \(fmt(Double(fc - tInit) / 1e9, 2)) s before the first line was analysed
          first produced → all analysed: \(fmt(whole, 2)) s = \(kilo(Double(lineCount) / whole)) lines/s
          first analysed → all analysed: \(fmt(steady, 2)) s, \(steadyLines) lines = \(kilo(Double(steadyLines) / steady)) lines/s (steady)
          CPU \(fmt(cpu, 1)) s (whole process, from Pipeline.init) = \(kilo(Double(lineCount) / cpu)) lines per CPU-second
          kafka produced \(s.producer.produced) delivered \(s.producer.delivered) failed \(s.producer.failed) in flight \(s.producer.inFlight) queueFull \(s.producer.queueFull) rejected \(s.producer.rejected)
          consumer consumed \(s.consumer.consumed) own \(s.ownConsumed) lost \(s.consumer.lostRecords) rewinds \(s.consumer.rewinds) offset resets \(s.consumer.offsetResets)
          analyser linesSeen \(analysed) (requests \(s.snapshot.runTotalRequests), malformed \(s.snapshot.malformed)); peak backlog \(peakBacklog)
          accounting \(ok ? "OK" : "MISMATCH"); load \(load0) → \(loadAverage()); max RSS \(maxRSSKiB() / 1024) MiB
          \(threads)
        """)
    printResult([
        ("mode", "throughput"), ("lines", "\(lineCount)"), ("files", "\(o.files)"), ("partitions", "\(o.partitions)"),
        ("seconds", fmt(whole, 3)), ("lines_per_second", fmt(Double(lineCount) / whole, 0)),
        ("steady_lines_per_second", fmt(Double(steadyLines) / steady, 0)), ("cpu_seconds", fmt(cpu, 2)),
        ("produced", "\(s.producer.produced)"), ("delivered", "\(s.producer.delivered)"), ("failed", "\(s.producer.failed)"),
        ("lost", "\(s.consumer.lostRecords)"), ("analysed", "\(analysed)"), ("ok", "\(ok)"),
    ])
    if !ok { exit(1) }
}

// MARK: - transport (LogProducer → cluster → LogConsumer, no engine)

final class Counters: Sendable {
    let produced = Atomic<Int>(0)
    let consumed = Atomic<Int>(0)
    let consumedBytes = Atomic<Int>(0)
    let producerDone = Atomic<Bool>(false)
    let stop = Atomic<Bool>(false)
}

func runTransport(_ o: Options) throws {
    let corpus = Lines(o)
    let cluster = try EmbeddedKafkaCluster(brokers: 1)
    try cluster.createTopic("logs", partitions: o.partitions)
    let settings = cluster.settings()
    let producer = try LogProducer(settings: settings, overrides: o.producerOverrides)
    let consumer = try LogConsumer(settings: settings, group: "bench")
    try consumer.subscribe(["logs"])
    let counters = Counters()
    let done = DispatchSemaphore(value: 0)
    let runID = Array("0123456789ab".utf8), source = Array("file:/tmp/part0.log".utf8)
    let headers = [KafkaHeader(name: "logtop-run", value: runID), KafkaHeader(name: "logtop-source", value: source)]
    let backlog = o.backlog
    let threads0 = threadTimes()
    let cpu0 = cpuSeconds()
    let t0 = nowNanos()
    let firstConsumed = Atomic<UInt64>(0)
    Thread.detachNewThread {
        var n = 0
        corpus.forEachLine { line in
            while n - counters.consumed.load(ordering: .relaxed) > backlog { usleep(1_000) }
            while case .queueFull = producer.produce(topic: "logs", key: nil, value: UnsafeRawBufferPointer(line), headers: headers) {
                usleep(1_000)
            }
            n += 1
            counters.produced.store(n, ordering: .relaxed)
        }
        producer.flush(timeoutMs: 30_000)
        counters.producerDone.store(true, ordering: .releasing)
    }
    Thread.detachNewThread {
        while !counters.stop.load(ordering: .relaxed) {
            let records = (try? consumer.poll(maxMessages: 5_000, timeoutMs: 50)) ?? []
            if records.isEmpty { continue }
            if firstConsumed.load(ordering: .relaxed) == 0 { firstConsumed.store(nowNanos(), ordering: .relaxed) }
            var bytes = 0
            var own = 0
            for r in records {
                bytes += r.value.count
                for h in r.headers where h.name == "logtop-run" && h.value == runID { own += 1 }
            }
            try? consumer.storeOffsets(for: records)
            counters.consumedBytes.add(bytes, ordering: .relaxed)
            counters.consumed.add(own, ordering: .releasing)
        }
        done.signal()
    }
    var lastReport = nowNanos(), lastConsumed = 0
    // Done when every delivered record was consumed or counted as lost (trimmed before it was read).
    while !(counters.producerDone.load(ordering: .acquiring)
        && counters.consumed.load(ordering: .acquiring) + Int(consumer.stats().lostRecords) >= producer.stats().delivered) {
        usleep(2_000)
        let t = nowNanos()
        if t - lastReport >= 1_000_000_000 {
            let c = counters.consumed.load(ordering: .relaxed)
            log("  produced \(counters.produced.load(ordering: .relaxed)) consumed \(c) (\(kilo(Double(c - lastConsumed) / (Double(t - lastReport) / 1e9))) lines/s) lost \(consumer.stats().lostRecords) \(consumer.stats().lastError.map { "last error: \($0)" } ?? "")")
            lastReport = t
            lastConsumed = c
        }
        if t - t0 > 600 * 1_000_000_000 { log("timed out"); break }
    }
    let tEnd = nowNanos()
    let cpu = cpuSeconds() - cpu0
    let threads = describeThreads(threads0)
    counters.stop.store(true, ordering: .relaxed)
    done.wait()
    let p = producer.stats(), c = consumer.stats()
    producer.close()
    consumer.close()
    cluster.close()
    let whole = Double(tEnd - t0) / 1e9
    let steady = Double(tEnd - firstConsumed.load(ordering: .relaxed)) / 1e9
    let ok = p.delivered == corpus.lineCount && c.lostRecords == 0 && counters.consumed.load(ordering: .relaxed) == corpus.lineCount
    print("""
        Kafka only (LogProducer → embedded cluster → LogConsumer, \(o.partitions) partitions, unkeyed, backlog \(backlog), no engine\(o.producerOverrides.isEmpty ? "" : ", producer \(o.producerOverrides)")):
          \(corpus.lineCount) lines in \(fmt(whole, 2)) s = \(kilo(Double(corpus.lineCount) / whole)) lines/s (\(fmt(Double(corpus.bytes.count) / 1_048_576 / whole)) MiB/s); from first consumed \(fmt(steady, 2)) s
          CPU \(fmt(cpu, 1)) s = \(kilo(Double(corpus.lineCount) / cpu)) lines per CPU-second
          produced \(p.produced) delivered \(p.delivered) failed \(p.failed) queueFull \(p.queueFull); consumed \(c.consumed) lost \(c.lostRecords) rewinds \(c.rewinds); \(ok ? "OK" : "MISMATCH"); load \(loadAverage())
          \(threads)
        """)
    printResult([("mode", "transport"), ("lines", "\(corpus.lineCount)"), ("seconds", fmt(whole, 3)),
                 ("lines_per_second", fmt(Double(corpus.lineCount) / whole, 0)), ("cpu_seconds", fmt(cpu, 2)),
                 ("delivered", "\(p.delivered)"), ("failed", "\(p.failed)"), ("lost", "\(c.lostRecords)"), ("ok", "\(ok)")])
    if !ok { exit(1) }
}

// MARK: - latency (the real Pipeline, stdin source fed through a pipe)

/// Lines handed to the pipe: `times[i]` is the monotonic time just before the `write` that carried line i.
final class WriterLog: Sendable {
    let times = Mutex<[UInt64]>([])
}

func runLatency(_ o: Options) throws {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { fail("pipe failed") }
    // The Pipeline's stdin source reads fd 0: make it the pipe.
    guard dup2(fds[0], 0) == 0 else { fail("dup2 failed") }
    close(fds[0])
    let writeFD = fds[1]
    _ = fcntl(writeFD, 1031 /* F_SETPIPE_SZ */, 1 << 20)

    var config = PipelineConfig()
    config.sources = [.stdin]
    config.snapshotIntervalMs = o.snapshotMs
    let pipeline = try Pipeline(config: config)
    // Wait until the analyzer has joined the group (its first poll returned an assignment).
    let joinStart = nowNanos()
    while pipeline.status().consumer.assignment.isEmpty {
        usleep(10_000)
        if nowNanos() - joinStart > 30_000_000_000 { fail("the analyzer did not join the group") }
    }
    log("analyzer assigned after \(fmt(Double(nowNanos() - joinStart) / 1e9, 2)) s; feeding \(o.rate) lines/s for \(o.warmup)+\(o.seconds) s")

    let total = o.rate * (o.warmup + o.seconds)
    let rate = o.rate
    let writerLog = WriterLog()
    let writerDone = DispatchSemaphore(value: 0)
    Thread.detachNewThread {
        var model = TrafficModel(seed: 3)
        var times = [UInt64]()
        times.reserveCapacity(total)
        var buffer: [UInt8] = []
        let start = nowNanos()
        while times.count < total {
            let due = min(total, Int(Double(nowNanos() - start) / 1e9 * Double(rate)))
            if due > times.count {
                buffer.removeAll(keepingCapacity: true)
                let unix = Int64(Date().timeIntervalSince1970)
                for _ in times.count..<due {
                    var line = model.nextLine(time: unix, scenario: nil)
                    line.withUTF8 { buffer.append(contentsOf: $0) }
                    buffer.append(0x0A)
                }
                let t = nowNanos()
                buffer.withUnsafeBytes { b in
                    var at = 0
                    while at < b.count {
                        let n = write(writeFD, b.baseAddress! + at, b.count - at)
                        if n <= 0 { fail("pipe write failed") }
                        at += n
                    }
                }
                for _ in times.count..<due { times.append(t) }
            }
            usleep(1_000)
        }
        writerLog.times.withLock { $0 = times }
        writerDone.signal()
    }

    // Observer: when the snapshot's line count moves, remember when.
    var seen: [(count: Int, time: UInt64)] = []
    var last = 0
    var statusCost: UInt64 = 0, statusCalls = 0
    let cpu0 = cpuSeconds()
    let t0 = nowNanos()
    while last < total {
        let a = nowNanos()
        let s = pipeline.status()
        let b = nowNanos()
        statusCost += b - a
        statusCalls += 1
        let count = s.snapshot.linesSeen
        if count > last {
            seen.append((count, b))
            last = count
        }
        if b - t0 > UInt64(o.warmup + o.seconds + 60) * 1_000_000_000 { log("timed out at \(last) of \(total) lines"); break }
        usleep(1_000)
    }
    let cpu = cpuSeconds() - cpu0
    writerDone.wait()
    close(writeFD)
    let times = writerLog.times.withLock { $0 }
    pipeline.finish()
    let s = pipeline.status()

    var latencies: [Double] = []
    latencies.reserveCapacity(total)
    var j = 0
    let skip = o.rate * o.warmup
    for i in 0..<min(times.count, last) {
        while seen[j].count < i + 1 { j += 1 }
        if i >= skip { latencies.append(Double(Int64(seen[j].time) - Int64(times[i])) / 1e6) }
    }
    let (text, fields) = describeLatency("latency", latencies)
    print("""
        produce-to-snapshot latency (Pipeline, stdin source via a pipe, \(o.rate) lines/s, snapshot every \(o.snapshotMs) ms, \(o.seconds) s measured after \(o.warmup) s warm-up):
          line written into the pipe → first Pipeline.status().snapshot with linesSeen counting it (polled every ~1 ms)
          \(text)
          snapshot updates seen \(seen.count); status() polls \(statusCalls), \(fmt(Double(statusCost) / Double(max(1, statusCalls)) / 1000)) µs each
          kafka produced \(s.producer.produced) delivered \(s.producer.delivered) failed \(s.producer.failed); lost \(s.consumer.lostRecords); analysed \(s.snapshot.linesSeen) of \(total)
          CPU \(fmt(cpu, 1)) s over \(fmt(Double(nowNanos() - t0) / 1e9, 1)) s (whole process); load \(loadAverage())
        """)
    printResult([("mode", "latency"), ("rate", "\(o.rate)"), ("snapshot_ms", "\(o.snapshotMs)"), ("n", "\(latencies.count)")]
        + fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        + [("lost", "\(s.consumer.lostRecords)"), ("analysed", "\(s.snapshot.linesSeen)")])
}

// MARK: - kafka-latency (LogtopKafka wired by hand, produce time in a header)

final class Stamps: Sendable {
    let poll = Mutex<[Double]>([])
    let snapshot = Mutex<[Double]>([])
    let consumed = Atomic<Int>(0)
    let stop = Atomic<Bool>(false)
}

func runKafkaLatency(_ o: Options) throws {
    let cluster = try EmbeddedKafkaCluster(brokers: 1)
    try cluster.createTopic("logs", partitions: 8)
    let settings = cluster.settings()
    let producer = try LogProducer(settings: settings)
    let consumer = try LogConsumer(settings: settings, group: "bench")
    try consumer.subscribe(["logs"])
    let total = o.rate * (o.warmup + o.seconds)
    let skip = o.rate * o.warmup
    let snapshotNanos = UInt64(o.snapshotMs) * 1_000_000
    let stamps = Stamps()
    let consumerDone = DispatchSemaphore(value: 0)
    Thread.detachNewThread {
        // The analyzer loop of Pipeline, with the produce time of every record kept until the next snapshot.
        var engine = AnalysisEngine(config: EngineConfig())
        var pending: [UInt64] = []
        var pollLatency: [Double] = [], snapLatency: [Double] = []
        var lastSnapshot = nowNanos()
        var index = 0
        while !stamps.stop.load(ordering: .relaxed) {
            let records = (try? consumer.poll(maxMessages: 5_000, timeoutMs: 50)) ?? []
            let received = nowNanos()
            for r in records {
                guard let h = r.headers.first(where: { $0.name == "t" }), h.value.count == 8 else { continue }
                let sent = h.value.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                if index >= skip { pollLatency.append(Double(Int64(received) - Int64(sent)) / 1e6) }
                index += 1
                r.value.withUnsafeBufferPointer { engine.ingest(line: $0) }
                pending.append(sent)
            }
            if !records.isEmpty {
                try? consumer.storeOffsets(for: records)
                stamps.consumed.add(records.count, ordering: .relaxed)
            }
            let now = nowNanos()
            if now - lastSnapshot >= snapshotNanos {
                lastSnapshot = now
                _ = engine.snapshot()
                let published = nowNanos()
                let first = index - pending.count
                for (k, sent) in pending.enumerated() where first + k >= skip {
                    snapLatency.append(Double(Int64(published) - Int64(sent)) / 1e6)
                }
                pending.removeAll(keepingCapacity: true)
            }
        }
        stamps.poll.withLock { $0 = pollLatency }
        stamps.snapshot.withLock { $0 = snapLatency }
        consumerDone.signal()
    }
    while consumer.stats().assignment.isEmpty { usleep(10_000) }
    log("consumer assigned; producing \(o.rate) lines/s for \(o.warmup)+\(o.seconds) s")
    var model = TrafficModel(seed: 3)
    let start = nowNanos()
    var n = 0
    while n < total {
        let due = min(total, Int(Double(nowNanos() - start) / 1e9 * Double(o.rate)))
        let unix = Int64(Date().timeIntervalSince1970)
        while n < due {
            var stamp = nowNanos()
            let header = KafkaHeader(name: "t", value: withUnsafeBytes(of: &stamp) { Array($0) })
            var line = model.nextLine(time: unix, scenario: nil)
            let outcome = line.withUTF8 { producer.produce(topic: "logs", key: nil, value: UnsafeRawBufferPointer($0), headers: [header]) }
            if case .queueFull = outcome { usleep(100); continue }
            n += 1
        }
        usleep(1_000)
    }
    producer.flush(timeoutMs: 10_000)
    let deadline = nowNanos() + 30_000_000_000
    while stamps.consumed.load(ordering: .relaxed) < total, nowNanos() < deadline { usleep(1_000) }
    usleep(UInt32(o.snapshotMs) * 1000 + 100_000)  // the last snapshot
    stamps.stop.store(true, ordering: .relaxed)
    consumerDone.wait()
    let p = producer.stats(), c = consumer.stats()
    producer.close()
    consumer.close()
    cluster.close()
    let (pollText, pollFields) = describeLatency("poll", stamps.poll.withLock { $0 })
    let (snapText, snapFields) = describeLatency("snapshot", stamps.snapshot.withLock { $0 })
    print("""
        produce-to-snapshot latency (LogProducer → embedded cluster → LogConsumer.poll(5000, 50 ms) → AnalysisEngine, \(o.rate) lines/s, 8 partitions, snapshot every \(o.snapshotMs) ms):
          produce() call → poll() returned it: \(pollText)
          produce() call → the first engine.snapshot() after its ingest: \(snapText)
          produced \(p.produced) delivered \(p.delivered) failed \(p.failed); consumed \(c.consumed) lost \(c.lostRecords); load \(loadAverage())
        """)
    printResult([("mode", "kafka-latency"), ("rate", "\(o.rate)"), ("snapshot_ms", "\(o.snapshotMs)")]
        + (pollFields.merging(snapFields) { a, _ in a }).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        + [("lost", "\(c.lostRecords)")])
}

// MARK: - main

let options = Options(Array(CommandLine.arguments.dropFirst()))
do {
    switch options.mode {
    case "throughput": try runThroughput(options)
    case "transport": try runTransport(options)
    case "engine": runEngine(options)
    case "latency": try runLatency(options)
    case "kafka-latency": try runKafkaLatency(options)
    default: fail("unknown mode \(options.mode)")
    }
} catch {
    fail("\(error)")
}
