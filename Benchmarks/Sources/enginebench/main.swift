// enginebench: feeds an access log to LogtopCore's AnalysisEngine (or only its parser) and prints
// the throughput, for comparisons with other tools on the same file.
//
//     enginebench [--parse-only] FILE     read FILE in 4 MiB chunks, split lines, ingest every line,
//                                         then take a snapshot and finish the run
//     enginebench --distinct N [--rate R] N generated lines, each with its own client and path,
//                                         R lines per second of event time (default 1000)
//     enginebench --corpus [--rounds K]   the package benchmark's engine workload without its harness:
//                                         1M lines of LogCorpus (seed 1, 200 per second) in memory,
//                                         K rounds (default 9) of a new engine ingesting them all and
//                                         taking a snapshot; prints each round and the median
//     enginebench --partials [--rate R] [--members M] [--seconds S]
//                                         scale-out: M analyzers aggregate their share of S seconds
//                                         (default 120) of traffic at R lines/s and publish one
//                                         MetricsPartial per second; timed: a reader decoding them and
//                                         merging them into one AnalysisEngine, per second of data
//
// The last line of output is machine-readable: `lines=… malformed=… seconds=… lines_per_second=… max_rss_kib=…`.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LogCorpus
import LogtopCore

func fail(_ message: String) -> Never {
    var text = "enginebench: \(message)\nusage: enginebench [--parse-only] FILE | enginebench --distinct N [--rate R]"
        + " | enginebench --corpus [--rounds K] | enginebench --partials [--rate R] [--members M] [--seconds S]\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(2)
}

/// `value`, or exit with `message`.
func require<T>(_ value: T?, _ message: @autoclosure () -> String) -> T {
    guard let value else { fail(message()) }
    return value
}

func positive(_ text: String?) -> Int? {
    guard let text, let v = Int(String(text.filter { $0 != "_" })), v > 0 else { return nil }
    return v
}

var parseOnly = false
var distinct: Int?
var partials = false
var corpusRounds: Int?
var members = 3
var partialSeconds = 120
var rate = 1000
var path: String?
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--parse-only": parseOnly = true
    case "--distinct": distinct = require(positive(args.popFirst()), "bad --distinct")
    case "--rate": rate = require(positive(args.popFirst()), "bad --rate")
    case "--partials": partials = true
    case "--corpus": corpusRounds = corpusRounds ?? 9
    case "--rounds": corpusRounds = require(positive(args.popFirst()), "bad --rounds")
    case "--members": members = require(positive(args.popFirst()), "bad --members")
    case "--seconds": partialSeconds = require(positive(args.popFirst()), "bad --seconds")
    case "-h", "--help": fail("help")
    default: path = a
    }
}

/// Parser only or the whole engine, behind one `ingest`.
struct Sink {
    var parseOnly: Bool
    var parser = AccessLogParser()
    var engine = AnalysisEngine(config: EngineConfig())
    var lines = 0
    var malformed = 0
    var checksum = 0

    mutating func ingest(_ line: UnsafeBufferPointer<UInt8>) {
        lines += 1
        if parseOnly {
            switch parser.parse(line) {
            case .record(let r): checksum &+= r.status
            case .malformed: malformed += 1
            }
        } else {
            engine.ingest(line: line)
        }
    }

    mutating func end() -> String {
        guard !parseOnly else { return "status checksum \(checksum)" }
        let snapshot = engine.snapshot()
        malformed = engine.malformedCount
        let total = engine.finish().last!
        let top = total.summary.topPaths.first.map { "\($0.key) \($0.count)" } ?? "-"
        return "window \(snapshot.window.requests) requests, run total \(total.summary.requests), "
            + "~\(total.summary.uniqueClients) clients, top path \(top)"
    }
}

func maxRSSKiB() -> Int {
    var usage = rusage()
    #if canImport(Darwin)
    getrusage(RUSAGE_SELF, &usage)
    #else
    getrusage(RUSAGE_SELF.rawValue, &usage)
    #endif
    #if canImport(Darwin)
    return Int(usage.ru_maxrss) / 1024
    #else
    return Int(usage.ru_maxrss)
    #endif
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

/// `--partials`: members aggregate `rate` lines per second of event time, split by client (as a
/// producer keying records by client would), and publish one record per member and second; then the
/// reader's work is timed: decoding every record and merging it into one engine, second by second.
func runPartials(rate: Int, members: Int, span: Int) -> Never {
    let clock = ContinuousClock()
    let partials = PartialsCorpus(rate: rate, members: members, span: span)
    let published = partials.records
    let encoding = partials.encoding
    let memberTime = partials.aggregating

    // The reader: decode and merge (the records of each second are consecutive, in member order).
    var engine = AnalysisEngine(config: EngineConfig())
    let readStart = clock.now
    partials.merge(into: &engine)
    let readTime = clock.now - readStart
    let total = engine.finish().last!.summary
    guard total.requests == partials.lines else { fail("merged \(total.requests) of \(partials.lines) lines") }
    // Decoding alone.
    let decodeStart = clock.now
    var decodedSeconds = 0
    for bytes in published { decodedSeconds += (try? MetricsPartial(decoding: bytes))?.seconds.count ?? 0 }
    let decodeTime = clock.now - decodeStart
    guard decodedSeconds >= span else { fail("decoded \(decodedSeconds) seconds") }

    let perSecond = { (d: Duration) in seconds(d) / Double(span) * 1e6 }  // µs per second of data
    let bytes = published.reduce(0) { $0 + $1.count }
    print("enginebench (partials): \(partials.lines) lines, \(rate) lines/s over \(span) s, \(members) members, "
        + "\(published.count) records of \(bytes / max(1, published.count)) bytes on average")
    print("  members: aggregate \(Int(Double(partials.lines) / seconds(memberTime))) lines/s, "
        + "take + encode \(Int(perSecond(encoding))) µs per second of data")
    print("  reader: decode + merge \(Int(perSecond(readTime))) µs per second of data (decode alone \(Int(perSecond(decodeTime))) µs), "
        + "\(Int(1e6 / perSecond(readTime)))x real time; run total \(total.requests) requests, ~\(total.uniqueClients) clients")
    print("records=\(published.count) record_bytes=\(bytes / max(1, published.count)) decode_merge_us_per_second=\(Int(perSecond(readTime))) "
        + "decode_us_per_second=\(Int(perSecond(decodeTime))) encode_us_per_second=\(Int(perSecond(encoding))) "
        + "member_lines_per_second=\(Int(Double(partials.lines) / seconds(memberTime))) max_rss_kib=\(maxRSSKiB())")
    exit(0)
}

/// `--corpus`: the workload of the package benchmark `Parse + aggregate 1M lines (AnalysisEngine)`,
/// timed the same way (ingest every line of the in-memory corpus, then one snapshot), `rounds` times.
func runCorpus(rounds: Int) -> Never {
    let corpus = LogCorpus(lines: 1_000_000, seed: 1, linesPerSecond: 200)
    let clock = ContinuousClock()
    var rates: [Double] = []
    for round in 1...rounds {
        var engine = AnalysisEngine(config: EngineConfig())
        let began = clock.now
        corpus.forEachLine { engine.ingest(line: $0) }
        let snapshot = engine.snapshot()
        let elapsed = seconds(clock.now - began)
        guard engine.linesSeen == corpus.lineCount, engine.malformedCount == 0, snapshot.linesSeen == corpus.lineCount else {
            fail("the engine saw \(engine.linesSeen) lines, \(engine.malformedCount) malformed")
        }
        rates.append(Double(corpus.lineCount) / elapsed)
        print("round \(round): \(Int(rates.last!)) lines/s")
    }
    let median = rates.sorted()[rates.count / 2]
    print("lines=\(corpus.lineCount) rounds=\(rounds) median_lines_per_second=\(Int(median)) max_rss_kib=\(maxRSSKiB())")
    exit(0)
}

if partials { runPartials(rate: rate, members: members, span: partialSeconds) }
if let rounds = corpusRounds { runCorpus(rounds: rounds) }

var sink = Sink(parseOnly: parseOnly)
let clock = ContinuousClock()
let began = clock.now

if let n = distinct {
    let writer = DistinctLineWriter()
    for i in 0..<n {
        writer.withLine(i, time: LogCorpus.defaultStart + Int64(i / rate)) { sink.ingest($0) }
    }
} else {
    guard let path else { fail("no FILE") }
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { fail("cannot open \(path)") }
    let chunk = 4 << 20
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: chunk)
    var kept = 0  // bytes of an unfinished line at the start of `buffer`
    while true {
        if kept == chunk { fail("a line longer than \(chunk) bytes") }
        let n = read(fd, buffer + kept, chunk - kept)
        if n < 0 { fail("read error on \(path)") }
        if n == 0 { break }
        let end = kept + n
        var p = 0
        while p < end, let nl = memchr(buffer + p, 0x0A, end - p) {
            let q = UnsafeMutablePointer<UInt8>(nl.assumingMemoryBound(to: UInt8.self)) - buffer
            sink.ingest(UnsafeBufferPointer(start: buffer + p, count: q - p))
            p = q + 1
        }
        kept = end - p
        if kept > 0, p > 0 { memmove(buffer, buffer + p, kept) }
    }
    if kept > 0 { sink.ingest(UnsafeBufferPointer(start: buffer, count: kept)) }
    close(fd)
    buffer.deallocate()
}
let summary = sink.end()
let elapsed = clock.now - began
let elapsedSeconds = seconds(elapsed)
let perSecond = Double(sink.lines) / elapsedSeconds
print("enginebench (\(parseOnly ? "parse only" : "parse + aggregate")): \(sink.lines) lines in \(elapsedSeconds) s, "
    + "\(Int(perSecond)) lines/s; \(summary)")
print("lines=\(sink.lines) malformed=\(sink.malformed) seconds=\(elapsedSeconds) lines_per_second=\(Int(perSecond)) max_rss_kib=\(maxRSSKiB())")
