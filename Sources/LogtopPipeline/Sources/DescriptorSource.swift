import Foundation

/// Standard input (or any open descriptor), read to its end. Polls, so that a pipeline stop is noticed
/// even while a quiet pipe gives nothing.
struct DescriptorSource: LineSource {
    let fd: Int32

    func run(into output: SourceOutput) {
        output.set(.reading)
        Self.readLines(fd, into: output)
    }

    /// Reads `fd` to its end, line by line, into `output`.
    static func readLines(_ fd: Int32, into output: SourceOutput) {
        var splitter = LineSplitter()
        var buffer = [UInt8](repeating: 0, count: 256 << 10)
        var keepGoing = true
        while keepGoing, !output.shouldStop {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, 200)
            if ready == 0 || (ready < 0 && errno == EINTR) { continue }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR || errno == EAGAIN { continue }
            if n < 0 {
                let why = String(cString: strerror(errno))
                output.fail("cannot read \(output.name): \(why)", state: why)
            }
            if n <= 0 { break }
            buffer.withUnsafeBufferPointer { all in
                splitter.feed(UnsafeBufferPointer(rebasing: all[0..<n])) { line in
                    if keepGoing { keepGoing = output.line(line) }
                }
            }
            if keepGoing { keepGoing = output.endOfInput() }
        }
        if keepGoing, !output.shouldStop {
            splitter.finish { line in _ = output.line(line) }
        }
    }
}
