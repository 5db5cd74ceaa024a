#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// A minimal HTTP/1.x server for `GET /metrics` (`--metrics-listen HOST:PORT`).
///
/// One thread accepts and answers one connection at a time: the request head is read with a short
/// timeout (`readTimeoutSeconds`) and a size bound (`maxRequestBytes`), the answer is written and the
/// connection closed (`Connection: close`). `GET /metrics` gets the exposition `render` produces (the
/// OpenMetrics form when the `Accept` header asks for `application/openmetrics-text`); any other path
/// 404, any other method 405, a malformed or oversized request 400. A slow or silent client holds the
/// thread at most the timeout; the analyzer never waits for a scrape.
public final class MetricsServer: Sendable {
    public typealias Render = @Sendable (_ openMetrics: Bool) -> String

    public static let maxRequestBytes = 8 << 10
    public static let readTimeoutSeconds = 2
    /// The server thread's nice value: it yields to the analysis when the CPU is short.
    public static let niceness: Int32 = 10
    /// How long a rendered exposition is served again (see `serve`).
    public static let reuseSeconds = 0.1
    public static let textContentType = "text/plain; version=0.0.4; charset=utf-8"
    public static let openMetricsContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8"

    /// The address bound (with the port the system chose when 0 was asked).
    public let host: String
    public let port: UInt16
    private let listener: Int32
    private let stopping = Atomic<Bool>(false)
    private let served = Atomic<Int>(0)
    private let done = DispatchSemaphore(value: 0)
    private let started = Atomic<Bool>(false)

    /// Binds `text` (`HOST:PORT`, `[IPv6]:PORT`; port 0 for any free port). Throws a clear error for a
    /// malformed address, a host that does not resolve or a port that cannot be bound (busy, privileged).
    public init(listen text: String) throws(PipelineError) {
        guard let (host, port) = SourceSpec.hostPort(text, allowZero: true) else {
            throw PipelineError("--metrics-listen \(text): expected HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464")
        }
        switch ListeningSocket.open(host: host, port: port, backlog: 16) {
        case .failure(.resolve(let why)):
            throw PipelineError("--metrics-listen \(text): cannot resolve \(host): \(why)")
        case .failure(.listen(let why)):
            throw PipelineError("--metrics-listen \(text): cannot listen: \(why)",
                                hint: "is another process using the port? choose another with --metrics-listen HOST:PORT")
        case .success(let socket):
            self.host = host
            self.port = socket.port
            listener = socket.fd
        }
    }

    deinit { if !stopping.load(ordering: .relaxed) { Glibc.close(listener) } }

    /// `HOST:PORT` as bound (IPv6 hosts in brackets).
    public var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Requests answered so far.
    public var requestsServed: Int { served.load(ordering: .relaxed) }

    /// Starts answering on a thread of its own, each scrape with `render`'s text. Once only.
    public func serve(_ render: @escaping Render) {
        guard !started.exchange(true, ordering: .relaxed) else { return }
        Thread.detachNewThread { [self] in
            ThreadName.metrics.apply()
            // Below the analyzer and the sources: when the cores are busy, a scraper gets the CPU the
            // analysis leaves (Linux: the nice value of this thread only).
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.niceness)
            // The whole answer (head and body) of each format, and when it was rendered.
            var cache: [(at: UInt64, response: [UInt8])?] = [nil, nil]
            while !stopping.load(ordering: .relaxed) {
                let c = accept(listener, nil, nil)
                if c < 0 {
                    if errno == EINTR || errno == ECONNABORTED { continue }
                    if stopping.load(ordering: .relaxed) { break }
                    usleep(10_000)  // e.g. out of descriptors: try again shortly rather than spin
                    continue
                }
                _ = fcntl(c, F_SETFD, FD_CLOEXEC)
                answer(c) { openMetrics in
                    // Scrapes closer together than `reuseSeconds` get the same bytes: the analyzer hands
                    // over a new snapshot only every 200 ms, and a scraper in a tight loop then costs
                    // the socket work alone, not a status and a rendering each time.
                    let now = DispatchTime.now().uptimeNanoseconds
                    let k = openMetrics ? 1 : 0
                    if let (at, response) = cache[k], now - at < UInt64(Self.reuseSeconds * 1e9) { return response }
                    let response = Self.response(status: "200 OK", contentType: openMetrics ? Self.openMetricsContentType : Self.textContentType,
                                                 body: render(openMetrics))
                    cache[k] = (now, response)
                    return response
                }
                Glibc.close(c)
                served.add(1, ordering: .relaxed)
            }
            done.signal()
        }
    }

    /// Stops accepting and closes the socket (after the request in progress). Idempotent.
    public func stop() {
        guard !stopping.exchange(true, ordering: .relaxed) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        if started.load(ordering: .relaxed) { _ = done.wait(timeout: .now() + .seconds(Self.readTimeoutSeconds + 1)) }
        Glibc.close(listener)
    }

    /// Reads the request head from `fd` and writes the answer: `metrics` gives a scrape's bytes.
    private func answer(_ fd: Int32, _ metrics: (_ openMetrics: Bool) -> [UInt8]) {
        var tv = timeval(tv_sec: Self.readTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 2048)
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(Self.readTimeoutSeconds) * 1_000_000_000
        while MetricsRequest.headEnd(head) == nil {
            guard head.count < Self.maxRequestBytes, DispatchTime.now().uptimeNanoseconds < deadline else {
                if head.count >= Self.maxRequestBytes {
                    send(fd, Self.response(status: "431 Request Header Fields Too Large", body: "request too large\n"))
                }
                return
            }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return }
            head.append(contentsOf: buffer[0..<n])
        }
        switch MetricsRequest(head: head) {
        case .metrics(let openMetrics): send(fd, metrics(openMetrics))
        case .notFound: send(fd, Self.response(status: "404 Not Found", body: "not found: try /metrics\n"))
        case .methodNotAllowed: send(fd, Self.response(status: "405 Method Not Allowed", body: "only GET /metrics\n", extra: "Allow: GET\r\n"))
        case .bad: send(fd, Self.response(status: "400 Bad Request", body: "bad request\n"))
        }
    }

    /// A whole HTTP answer: status line, headers, body.
    private static func response(status: String, contentType: String = "text/plain; charset=utf-8", body: String, extra: String = "") -> [UInt8] {
        var bytes = Array("HTTP/1.1 \(status)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.utf8.count)\r\n\(extra)Connection: close\r\n\r\n".utf8)
        bytes.append(contentsOf: body.utf8)
        return bytes
    }

    private func send(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { all in
            var sent = 0
            while sent < all.count {
                let n = Glibc.send(fd, all.baseAddress! + sent, all.count - sent, Int32(MSG_NOSIGNAL))
                if n <= 0 { return }
                sent += n
            }
        }
    }

}
