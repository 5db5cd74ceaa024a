#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Follows a file like `tail -F`: reads what is appended to it, and keeps following its *name* across
/// log rotation.
///
/// - **Growth**: every `poll` reads at most one chunk; at the end of the file it checks the name again.
/// - **Rotation by rename** (`access.log` → `access.log.1`, new `access.log`): noticed when the name
///   points to another inode. The old file is read to its end first, and is kept open for
///   `rotationGrace` seconds more (a writer may still append to it until it reopens its log); lines
///   written there meanwhile are still handed on. The new file is read from its start.
/// - **Rotation by truncation** (`copytruncate`): noticed when the file is shorter than what was read;
///   reading restarts at its start. (As with `tail`, a file truncated and then grown past the old size
///   between two polls cannot be told from growth.)
/// - **A file that does not exist yet**, or a name removed without a replacement: checked again on
///   every poll; a file that appears is read from its start.
/// - **Partial last line**: a line is handed on only once its newline has arrived. When a file is
///   finished (rotated away and its grace over, or truncated) its unfinished last line is handed on as it is.
///
/// Starting at the end (`fromStart: false`) applies only to a file that exists when following starts;
/// when it ends in the middle of a line, the rest of that line is skipped.
///
/// Memory is bounded: one read chunk plus at most `maxLine` bytes of an unfinished line per open file.
/// Not thread-safe: one thread polls it.
public final class FileFollower {
    public enum Phase: Sendable, Equatable {
        /// The name does not exist (a removed file may still be open and read).
        case waitingForFile
        /// The last poll read data.
        case reading
        /// At the end of the file, waiting for growth.
        case atEnd
    }

    public let path: String
    public private(set) var phase: Phase = .waitingForFile
    /// Rotations by rename (a new inode under the name) and truncations seen.
    public private(set) var rotations = 0
    public private(set) var truncations = 0
    /// The last error opening or reading the file, cleared once it is read again.
    public private(set) var lastError: String?

    private var current: OpenFile?
    private var retired: OpenFile?
    private var retiredUntil: UInt64 = 0
    private let graceNanos: UInt64
    private let maxLine: Int
    private var buffer: [UInt8]

    private struct OpenFile {
        var fd: Int32
        var dev: UInt64
        var ino: UInt64
        var regular: Bool
        var offset: Int64 = 0
        var splitter: LineSplitter
        /// Started at the end in the middle of a line: drop bytes up to the next newline.
        var skipToNewline = false
    }

    public init(path: String, fromStart: Bool, maxLine: Int = LineSplitter.defaultMaxLine, chunkSize: Int = 256 << 10,
                rotationGrace: Double = 2) {
        self.path = path
        self.maxLine = maxLine
        self.graceNanos = UInt64(max(0, rotationGrace) * 1e9)
        self.buffer = [UInt8](repeating: 0, count: max(4096, chunkSize))
        if var f = openPath() {
            if !fromStart, f.regular {
                let end = lseek(f.fd, 0, SEEK_END)
                if end > 0 {
                    f.offset = Int64(end)
                    var last: UInt8 = 0
                    if pread(f.fd, &last, 1, off_t(end - 1)) == 1, last != 0x0A { f.skipToNewline = true }
                }
            }
            current = f
            phase = .atEnd
        }
    }

    deinit {
        if let f = current { close(f.fd) }
        if let f = retired { close(f.fd) }
    }

    /// Reads at most one chunk (or notices a rotation) and hands every completed line to `line`, which
    /// returns false to stop receiving lines. Returns true when there may be more to read right away;
    /// false when the file is at its end (or missing): wait a little before polling again.
    @discardableResult
    public func poll(_ line: (UnsafeBufferPointer<UInt8>) -> Bool) -> Bool {
        var accepting = true
        func sink(_ l: UnsafeBufferPointer<UInt8>) { if accepting { accepting = line(l) } }

        // 1. A rotated-away file: drain it first, close it once its grace is over.
        if var old = retired {
            retired = nil  // no second reference: the splitter's buffer is not copied
            let n = readChunk(&old, sink)
            if n > 0 {
                retired = old
                retiredUntil = Self.now() + graceNanos
                phase = .reading
                return true
            }
            if n < 0 || Self.now() >= retiredUntil {
                old.splitter.finish(sink)
                close(old.fd)
                retired = nil
            } else {
                retired = old
            }
        }

        // 2. No file open: does it exist now?
        guard var file = current else {
            guard let f = openPath() else { phase = .waitingForFile; return false }
            current = f
            phase = .reading
            return true
        }
        current = nil

        // 3. Read the current file.
        let n = readChunk(&file, sink)
        if n > 0 {
            current = file
            phase = .reading
            return true
        }
        if n < 0 {
            file.splitter.finish(sink)
            close(file.fd)
            current = nil
            phase = .waitingForFile
            return false
        }
        current = file

        // 4. At its end: was it rotated or truncated?
        var st = stat()
        guard stat(path, &st) == 0 else {
            phase = .waitingForFile  // removed or renamed; keep reading the old one until a new one appears
            return false
        }
        if UInt64(st.st_dev) != file.dev || UInt64(st.st_ino) != file.ino {
            if var old = retired {
                old.splitter.finish(sink)
                close(old.fd)
            }
            retired = file
            retiredUntil = Self.now() + graceNanos
            current = nil
            rotations += 1
            if let f = openPath() { current = f }
            phase = .reading
            return true
        }
        var own = stat()
        if file.regular, fstat(file.fd, &own) == 0, Int64(own.st_size) < file.offset {
            file.splitter.finish(sink)
            file.skipToNewline = false
            lseek(file.fd, 0, SEEK_SET)
            file.offset = 0
            current = file
            truncations += 1
            phase = .reading
            return true
        }
        phase = .atEnd
        return false
    }

    /// Reads one chunk into the file's splitter: bytes read, 0 at the end, -1 on an error.
    private func readChunk(_ file: inout OpenFile, _ sink: (UnsafeBufferPointer<UInt8>) -> Void) -> Int {
        while true {
            let n = buffer.withUnsafeMutableBytes { read(file.fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { return 0 }
                lastError = "cannot read \(path): \(String(cString: strerror(errno)))"
                return -1
            }
            if n == 0 { return 0 }
            lastError = nil
            file.offset += Int64(n)
            buffer.withUnsafeBufferPointer { all in
                var chunk = UnsafeBufferPointer(rebasing: all[0..<n])
                if file.skipToNewline {
                    guard let nl = LineSplitter.index(of: 0x0A, in: chunk, from: 0) else { return }
                    file.skipToNewline = false
                    chunk = UnsafeBufferPointer(rebasing: chunk[(nl + 1)...])
                }
                file.splitter.feed(chunk, sink)
            }
            return n
        }
    }

    private func openPath() -> OpenFile? {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            if errno != ENOENT && errno != ENOTDIR {
                lastError = "cannot open \(path): \(String(cString: strerror(errno)))"
            }
            return nil
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else { close(fd); return nil }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            lastError = "cannot follow \(path): it is a directory"
            close(fd)
            return nil
        }
        lastError = nil
        return OpenFile(fd: fd, dev: UInt64(st.st_dev), ino: UInt64(st.st_ino), regular: (st.st_mode & S_IFMT) == S_IFREG,
                        splitter: LineSplitter(maxLine: maxLine))
    }

    private static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}
