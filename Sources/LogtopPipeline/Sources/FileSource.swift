import Foundation

/// A file read once, from its start to its end; gzip-compressed files (magic bytes `1f 8b`) are
/// decompressed.
struct FileSource: LineSource {
    let path: String

    func run(into output: SourceOutput) {
        output.set(.reading)
        guard GzipLineReader.isGzip(path: path) else {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                let why = String(cString: strerror(errno))
                output.fail("cannot open \(path): \(why)", state: why)
                return
            }
            DescriptorSource.readLines(fd, into: output)
            close(fd)
            return
        }
        let reader: GzipLineReader
        do { reader = try GzipLineReader(path: path) } catch {
            output.fail(error.message, state: error.message)
            return
        }
        var keepGoing = true
        while keepGoing, !output.shouldStop {
            switch reader.read({ line in
                keepGoing = output.line(line)
                return keepGoing
            }) {
            case .more: if keepGoing { keepGoing = output.endOfInput() }
            case .end: return
            case .failed(let why):
                output.fail(why, state: why)
                return
            }
        }
    }
}
