// loggen: prints synthetic combined-format access-log lines from LogtopCore's TrafficModel.
//
//     loggen [LINES] [--seed S] [--rate LINES_PER_SECOND] [--start UNIX_SECONDS]
//
// Defaults: 1,000,000 lines, seed 1, 200 lines per second of event time, starting 2026-11-26 00:00 UTC
// (the same lines as the in-memory corpus of the benchmarks).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LogCorpus
import LogtopCore

func fail(_ message: String) -> Never {
    var text = "loggen: \(message)\nusage: loggen [LINES] [--seed S] [--rate LINES_PER_SECOND] [--start UNIX_SECONDS]\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(2)
}

/// `value`, or exit with `message`.
func require<T>(_ value: T?, _ message: @autoclosure () -> String) -> T {
    guard let value else { fail(message()) }
    return value
}

extension String {
    var replacingUnderscores: String { String(filter { $0 != "_" }) }
}

func main() {
    var lines = 1_000_000
    var seed: UInt64 = 1
    var rate = 200
    var start = LogCorpus.defaultStart
    var args = CommandLine.arguments.dropFirst()
    while let a = args.popFirst() {
        func value() -> String { require(args.popFirst(), "\(a) needs a value") }
        switch a {
        case "--seed": seed = require(UInt64(value()), "bad seed")
        case "--rate": rate = require(Int(value()).flatMap { $0 > 0 ? $0 : nil }, "bad rate")
        case "--start": start = require(Int64(value()), "bad start")
        case "-h", "--help": fail("help")
        default: lines = require(Int(a.replacingUnderscores).flatMap { $0 >= 0 ? $0 : nil }, "bad argument \(a)")
        }
    }

    var model = TrafficModel(seed: seed)
    var out: [UInt8] = []
    out.reserveCapacity(1 << 20 + 4096)
    func flush() {
        out.withUnsafeBufferPointer { b in
            var done = 0
            while done < b.count {
                let n = write(1, b.baseAddress! + done, b.count - done)
                if n <= 0 { exit(1) }  // closed pipe (e.g. `| head`)
                done += n
            }
        }
        out.removeAll(keepingCapacity: true)
    }
    for i in 0..<lines {
        var line = model.nextLine(time: start + Int64(i / rate), scenario: nil)
        line.withUTF8 { out.append(contentsOf: $0) }
        out.append(0x0A)
        if out.count >= 1 << 20 { flush() }
    }
    flush()
}

main()
