#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Reads newline-delimited lines from a TCP connection, reconnecting with exponential back-off whenever
/// the peer refuses, goes away or the connection breaks.
///
/// The wait before a new attempt starts at `initialBackoffMs`, doubles after every failed attempt or
/// connection that delivered nothing, is capped at `maxBackoffMs`, and goes back to the start once a
/// connection delivers data. An unfinished line when the connection ends is dropped (counted in
/// `droppedPartialLines`): the peer went away in the middle of it. Memory is bounded: one read chunk
/// plus at most `maxLine` bytes of an unfinished line. It never ends by itself; `run` returns once
/// `shouldStop` says so (checked every ~200 ms, even while connecting or waiting) or `line` returns false.
public final class TCPLineSource {
    public let host: String
    public let port: UInt16
    public let initialBackoffMs: Int
    public let maxBackoffMs: Int
    public let maxLine: Int
    public private(set) var connections = 0
    public private(set) var droppedPartialLines = 0
    /// Why the last attempt or connection ended.
    public private(set) var lastError: String?

    public init(host: String, port: UInt16, initialBackoffMs: Int = 250, maxBackoffMs: Int = 5_000, maxLine: Int = LineSplitter.defaultMaxLine) {
        self.host = host
        self.port = port
        self.initialBackoffMs = max(1, initialBackoffMs)
        self.maxBackoffMs = max(self.initialBackoffMs, maxBackoffMs)
        self.maxLine = maxLine
    }

    /// Connects, reads, reconnects... until `shouldStop()`, `line` or `readDone` returns false. `state` is
    /// told about `.connecting`, `.connected` and `.reconnecting(at:)`; `readDone` is called after the
    /// lines of each read.
    public func run(shouldStop: () -> Bool, state: (SourceState) -> Void,
                    line: (UnsafeBufferPointer<UInt8>) -> Bool, readDone: () -> Bool = { true }) {
        var backoff = ReconnectBackoff(initialMs: initialBackoffMs, maxMs: maxBackoffMs)
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while !shouldStop() {
            state(.connecting)
            if let fd = connectOnce(shouldStop: shouldStop) {
                connections += 1
                state(.connected)
                let (delivered, keepGoing) = readUntilClosed(fd, &buffer, shouldStop: shouldStop, line: line, readDone: readDone)
                close(fd)
                if !keepGoing { return }
                if delivered { backoff.reset() }
            }
            if shouldStop() { return }
            let wait = backoff.nextWaitMs()
            state(.reconnecting(at: Date().timeIntervalSince1970 + Double(wait) / 1000))
            let until = DispatchTime.now().uptimeNanoseconds + UInt64(wait) * 1_000_000
            while !shouldStop() {
                let now = DispatchTime.now().uptimeNanoseconds
                if now >= until { break }
                usleep(UInt32(min(100_000, (until - now) / 1000)))
            }
        }
    }

    /// Reads until the peer closes or the connection breaks: (any data received, keep going).
    private func readUntilClosed(_ fd: Int32, _ buffer: inout [UInt8], shouldStop: () -> Bool,
                                 line: (UnsafeBufferPointer<UInt8>) -> Bool, readDone: () -> Bool) -> (Bool, Bool) {
        var splitter = LineSplitter(maxLine: maxLine)
        var accepting = true
        var delivered = false
        func sink(_ l: UnsafeBufferPointer<UInt8>) { if accepting { accepting = line(l) } }
        while accepting {
            if shouldStop() { return (delivered, false) }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let r = poll(&p, 1, 200)
            if r < 0 && errno != EINTR { lastError = String(cString: strerror(errno)); break }
            if r <= 0 { continue }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { continue }
                lastError = "connection to \(endpoint) broken: \(String(cString: strerror(errno)))"
                break
            }
            if n == 0 { lastError = "\(endpoint) closed the connection"; break }
            delivered = true
            buffer.withUnsafeBufferPointer { splitter.feed(UnsafeBufferPointer(rebasing: $0[0..<n]), sink) }
            if accepting { accepting = readDone() }
        }
        if splitter.pendingBytes > 0 { droppedPartialLines += 1 }
        return (delivered, accepting)
    }

    var endpoint: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// One connection attempt to every address of `host`, each with a 3 s timeout.
    private func connectOnce(shouldStop: () -> Bool) -> Int32? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_ADDRCONFIG
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            lastError = "cannot resolve \(host): \(String(cString: gai_strerror(rc)))"
            return nil
        }
        defer { freeaddrinfo(first) }
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let ai = next, !shouldStop() {
            next = ai.pointee.ai_next
            let fd = socket(ai.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            if fd < 0 { continue }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            var on: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, socklen_t(MemoryLayout<Int32>.size))
            if connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 { return fd }
            guard errno == EINPROGRESS else {
                lastError = "cannot connect to \(endpoint): \(String(cString: strerror(errno)))"
                close(fd)
                continue
            }
            var waited = 0
            var result: Int32 = ETIMEDOUT
            while waited < 3_000, !shouldStop() {
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let r = poll(&p, 1, 200)
                if r > 0 {
                    var err: Int32 = 0
                    var len = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
                    result = err
                    break
                }
                if r < 0 && errno != EINTR { result = errno; break }
                waited += 200
            }
            if result == 0 { return fd }
            lastError = "cannot connect to \(endpoint): \(String(cString: strerror(result)))"
            close(fd)
        }
        return nil
    }
}
