#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZlib

/// Reads the lines of a gzip-compressed file (a rotated log such as `access.log.2.gz`) with zlib.
///
/// Concatenated gzip members are read one after the other (as `zcat` does); a file that is not
/// compressed is read as it is. A truncated or corrupt file ends with an error after the lines that
/// could be read. Memory is bounded: one chunk plus at most `maxLine` bytes of an unfinished line.
/// Not thread-safe: one thread reads it.
public final class GzipLineReader {
    public enum Outcome: Sendable, Equatable {
        /// A chunk was read: call `read` again.
        case more
        /// The end of the file; its unfinished last line, if any, was handed on.
        case end
        case failed(String)
    }

    public let path: String
    private var file: gzFile?
    private var splitter: LineSplitter
    private var buffer: [UInt8]

    /// True when the file starts with the gzip magic bytes `1f 8b`.
    public static func isGzip(path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var magic: [UInt8] = [0, 0]
        return readBytes(fd, &magic, 2) == 2 && magic == [0x1F, 0x8B]
    }

    public init(path: String, maxLine: Int = LineSplitter.defaultMaxLine, chunkSize: Int = 256 << 10) throws(PipelineError) {
        self.path = path
        self.splitter = LineSplitter(maxLine: maxLine)
        self.buffer = [UInt8](repeating: 0, count: max(4096, min(chunkSize, 1 << 30)))
        guard let f = gzopen(path, "rb") else {
            throw PipelineError("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        gzbuffer(f, 128 << 10)
        file = f
    }

    deinit { if let file { gzclose(file) } }

    /// Decompresses one chunk and hands every completed line to `line`, which returns false to stop
    /// receiving lines.
    public func read(_ line: (UnsafeBufferPointer<UInt8>) -> Bool) -> Outcome {
        guard let file else { return .end }
        var accepting = true
        func sink(_ l: UnsafeBufferPointer<UInt8>) { if accepting { accepting = line(l) } }
        let n = buffer.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
        if n > 0 {
            buffer.withUnsafeBufferPointer { splitter.feed(UnsafeBufferPointer(rebasing: $0[0..<Int(n)]), sink) }
            return .more
        }
        if n < 0 {
            var code: Int32 = 0
            let text = gzerror(file, &code).map { String(cString: $0) } ?? "error \(code)"
            splitter.finish(sink)
            return .failed("cannot decompress \(path): \(text)")
        }
        // gzread returns 0 at the end, and also when the compressed data stops short.
        var code: Int32 = 0
        let message = gzerror(file, &code).map { String(cString: $0) } ?? ""
        splitter.finish(sink)
        gzclose(file)
        self.file = nil
        if code != Z_OK && code != Z_STREAM_END {
            return .failed("cannot decompress \(path): \(message.isEmpty ? "error \(code)" : message)")
        }
        return .end
    }
}

/// `read(2)`, named apart from `GzipLineReader.read(_:)`.
private func readBytes(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, buffer, count) }
