// Throughput and memory of LogtopCore. Run from Benchmarks/:
//
//     swift package --disable-sandbox benchmark
//
// Each benchmark runs in a process of its own. Throughput is the custom metric `Lines per second`,
// timed inside the benchmark around the measured work and shown in thousands (K). In the 1M-line
// benchmarks one iteration is 10^6 lines (`scalingFactor: .mega`), so their `*` rows (wall clock,
// mallocs) are per line. `enginebench` (Sources/enginebench) runs the same workloads without the
// benchmark harness and its malloc interposer.
import Benchmark
import Foundation
import LogCorpus
import LogtopCore

/// One million lines from `TrafficModel(seed: 1)`, 200 per second of event time.
func makeCorpus() -> LogCorpus {
    let corpus = LogCorpus(lines: 1_000_000, seed: 1, linesPerSecond: 200)
    precondition(corpus.lineCount == BenchmarkScalingFactor.mega.rawValue)
    return corpus
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [linesPerSecond, .wallClock, .mallocCountTotal],
        units: [linesPerSecond: .kilo],
        warmupIterations: 1,
        scalingFactor: .mega,
        maxDuration: .seconds(15),
        maxIterations: 8
    )

    // Parsing only: bytes → LogRecord.
    Benchmark("Parse 1M combined lines") { benchmark, corpus in
        var parser = AccessLogParser(format: .auto)
        var records = 0
        let clock = ContinuousClock()
        benchmark.startMeasurement()
        let began = clock.now
        corpus.forEachLine { line in
            if case .record = parser.parse(line) { records += 1 }
        }
        let elapsed = clock.now - began
        benchmark.stopMeasurement()
        benchmark.measurement(linesPerSecond, perSecond(corpus.lineCount, elapsed))
        precondition(records == corpus.lineCount, "malformed lines in the corpus")
        blackHole(records)
    } setup: {
        makeCorpus()
    }

    // The whole engine: parse, per-second aggregates, windows, intervals, alert rules; then one
    // snapshot as a sink would take it.
    Benchmark("Parse + aggregate 1M lines (AnalysisEngine)") { benchmark, corpus in
        var engine = AnalysisEngine(config: EngineConfig())
        let clock = ContinuousClock()
        benchmark.startMeasurement()
        let began = clock.now
        corpus.forEachLine { line in engine.ingest(line: line) }
        let snapshot = engine.snapshot()
        let elapsed = clock.now - began
        benchmark.stopMeasurement()
        benchmark.measurement(linesPerSecond, perSecond(corpus.lineCount, elapsed))
        precondition(engine.malformedCount == 0 && engine.linesSeen == corpus.lineCount)
        blackHole(snapshot)
    } setup: {
        makeCorpus()
    }

    // The C parse floor (cfloor/floor.c: quote-aware split, timestamp, status, bytes, FNV-1a of client,
    // path, referrer and user agent), built with `gcc -O2` as issue #13 timed it, over the same corpus
    // line by line as the engine gets it: the engine's lines per second divided by this benchmark's
    // is the ratio the issue asks to be at least 0.7.
    Benchmark("C parse floor 1M lines (gcc -O2)") { benchmark, input in
        let (corpus, floor) = input
        var totals = [UInt64](repeating: 0, count: 5)  // struct cfloor_totals: lines, bad, hash, bytes, time
        let clock = ContinuousClock()
        benchmark.startMeasurement()
        let began = clock.now
        totals.withUnsafeMutableBytes { t in
            corpus.forEachLine { line in
                line.withMemoryRebound(to: CChar.self) { c in
                    let start = c.baseAddress.unsafelyUnwrapped
                    floor.line(start, start + c.count, t.baseAddress.unsafelyUnwrapped)
                }
            }
        }
        let elapsed = clock.now - began
        benchmark.stopMeasurement()
        benchmark.measurement(linesPerSecond, perSecond(corpus.lineCount, elapsed))
        precondition(totals[0] == corpus.lineCount && totals[1] == 0, "the floor did not read every line")
        blackHole(totals[2])
    } setup: {
        (makeCorpus(), CFloor.build())
    }

    // Worst case for memory: every line has its own client and path (10M of each), 10,000 lines per
    // second of event time (1,000 s, 16 report intervals). The engine's sketches must keep resident
    // memory bounded (goal ≤ 64 MiB for the whole process).
    Benchmark(
        "Engine memory, 10M distinct paths and clients",
        configuration: .init(
            metrics: [.wallClock, .peakMemoryResident, .peakMemoryResidentDelta, .mallocCountTotal, linesPerSecond],
            units: [.peakMemoryResident: .mega, .peakMemoryResidentDelta: .mega, linesPerSecond: .kilo],
            warmupIterations: 0,
            scalingFactor: .one,
            maxDuration: .seconds(60),
            maxIterations: 1
        )
    ) { benchmark in
        let lines = 10_000_000
        let writer = DistinctLineWriter()
        var engine = AnalysisEngine(config: EngineConfig())
        let clock = ContinuousClock()
        let began = clock.now
        for i in 0..<lines {
            writer.withLine(i, time: LogCorpus.defaultStart + Int64(i / 10_000)) { engine.ingest(line: $0) }
        }
        let snapshot = engine.snapshot()
        benchmark.measurement(linesPerSecond, perSecond(lines, clock.now - began))
        precondition(engine.malformedCount == 0 && engine.linesSeen == lines)
        blackHole(snapshot)
    }

    // Scale-out: what a merged view does with 120 s of traffic at 10,000 lines/s published by three
    // members (one record per member and second): decode every record and merge it into one engine.
    // One iteration is the 120 seconds of data; the custom metric is seconds of data merged per second.
    Benchmark(
        "Decode + merge partials, 3 members, 10K lines/s, 120 s",
        configuration: .init(
            metrics: [secondsOfDataPerSecond, .wallClock, .mallocCountTotal],
            units: [secondsOfDataPerSecond: .count],
            warmupIterations: 1,
            scalingFactor: .one,
            maxDuration: .seconds(20),
            maxIterations: 20
        )
    ) { benchmark, partials in
        var engine = AnalysisEngine(config: EngineConfig())
        let clock = ContinuousClock()
        benchmark.startMeasurement()
        let began = clock.now
        partials.merge(into: &engine)
        let elapsed = clock.now - began
        benchmark.stopMeasurement()
        benchmark.measurement(secondsOfDataPerSecond, perSecond(120, elapsed))
        precondition(engine.linesSeen == partials.lines)
        blackHole(engine.snapshot())
    } setup: {
        PartialsCorpus(rate: 10_000, members: 3, span: 120)
    }
}

/// Seconds of published data a merged view decodes and merges per second of CPU.
let secondsOfDataPerSecond = BenchmarkMetric.custom("Seconds of data merged per second", polarity: .prefersLarger, useScalingFactor: false)

/// Lines per second measured inside the benchmark (for benchmarks whose iteration is not 10^k lines).
let linesPerSecond = BenchmarkMetric.custom("Lines per second", polarity: .prefersLarger, useScalingFactor: false)

func perSecond(_ lines: Int, _ elapsed: Duration) -> Int {
    Int((Double(lines) / (elapsed / .nanoseconds(1)) * 1e9).rounded())
}

/// `cfloor/floor.c` built by gcc into a shared object and loaded: the floor as issue #13 timed it
/// (clang -O2, Swift's own C compiler, makes it 2.4 times slower).
struct CFloor: @unchecked Sendable {
    typealias Line = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeMutableRawPointer) -> Void
    let line: Line

    static func build() -> CFloor {
        let source = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("cfloor/floor.c").path
        let object = FileManager.default.temporaryDirectory.appendingPathComponent("cfloor-\(getpid()).so").path
        defer { try? FileManager.default.removeItem(atPath: object) }
        let gcc = Process()
        gcc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gcc.arguments = ["gcc", "-O2", "-shared", "-fPIC", "-o", object, source]
        do { try gcc.run() } catch { fatalError("cannot run gcc (apt-get install gcc): \(error)") }
        gcc.waitUntilExit()
        guard gcc.terminationStatus == 0 else {
            fatalError("gcc -O2 \(source) failed (status \(gcc.terminationStatus); apt-get install gcc)")
        }
        guard let handle = dlopen(object, RTLD_NOW), let symbol = dlsym(handle, "cfloor_line") else {
            fatalError("cannot load \(object): \(String(cString: dlerror()))")
        }
        return CFloor(line: unsafeBitCast(symbol, to: Line.self))
    }
}
