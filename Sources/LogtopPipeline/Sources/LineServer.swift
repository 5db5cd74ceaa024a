#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import LogtopCore
import Synchronization

/// Serves newline-delimited lines to any number of TCP clients (`logtop generate --listen HOST:PORT`):
/// every client receives every line broadcast while it is connected.
///
/// One thread accepts; every client has a writer thread of its own and a bounded queue
/// (`maxQueuedBytes`). A client that reads too slowly is **dropped** — disconnected, counted in
/// `droppedClients` — once its queue is full; it never holds up the others, and the lines of one
/// connection never have a gap in the middle (a reconnecting client continues with the live stream).
/// What clients send is ignored.
public final class LineServer: Sendable {
    /// The address bound (with the port chosen by the system when 0 was asked).
    public let host: String
    public let port: UInt16
    public let maxQueuedBytes: Int
    private let listener: Int32
    private let clients = Mutex<[Client]>([])
    private let stopping = Atomic<Bool>(false)
    private let accepted = Atomic<Int>(0)
    private let dropped = Atomic<Int>(0)
    private let threads = DispatchGroup()

    /// A connected client: its queue, and the writer thread that empties it.
    private final class Client: Sendable {
        let fd: Int32
        let wake = DispatchSemaphore(value: 0)
        let state = Mutex<(queue: [UInt8], closed: Bool, sending: Bool)>(([], false, false))
        init(fd: Int32) { self.fd = fd }

        /// Stops the writer; `shutdown` also unblocks a write in progress. The writer closes the socket.
        func end() {
            let first = state.withLock { s -> Bool in
                defer { s.closed = true; s.queue = [] }
                return !s.closed
            }
            if first { shutdown(fd, Int32(SHUT_RDWR)); wake.signal() }
        }
    }

    /// Binds `host:port` (port 0: any free port) and starts accepting.
    public init(host: String, port: UInt16, maxQueuedBytes: Int = 4 << 20) throws(PipelineError) {
        self.maxQueuedBytes = max(64 << 10, maxQueuedBytes)
        switch ListeningSocket.open(host: host, port: port, backlog: 64) {
        case .failure(.resolve(let why)):
            throw PipelineError("cannot resolve \(host): \(why)")
        case .failure(.listen(let why)):
            throw PipelineError("cannot listen on \(host):\(port): \(why)", hint: "is another process using the port?")
        case .success(let socket):
            self.host = host
            self.port = socket.port
            self.listener = socket.fd
        }
        threads.enter()
        Thread.detachNewThread { [self] in
            acceptLoop()
            threads.leave()
        }
    }

    deinit { close() }

    /// `HOST:PORT` as bound (IPv6 hosts in brackets).
    public var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Clients connected now, ever accepted, and dropped for being too slow.
    public var clientCount: Int { clients.withLock { $0.count } }
    public var acceptedClients: Int { accepted.load(ordering: .relaxed) }
    public var droppedClients: Int { dropped.load(ordering: .relaxed) }

    /// Queues `bytes` (whole lines, each ending with `\n`) for every connected client; never blocks.
    public func broadcast(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        for c in clients.withLock({ $0 }) {
            let outcome = c.state.withLock { s -> Int in
                if s.closed { return 0 }
                if s.queue.count + bytes.count > maxQueuedBytes { return -1 }
                let wasEmpty = s.queue.isEmpty
                s.queue.append(contentsOf: bytes)
                return wasEmpty ? 1 : 0
            }
            if outcome == 1 { c.wake.signal() }
            if outcome < 0 {
                dropped.add(1, ordering: .relaxed)
                c.end()
            }
        }
    }

    /// Stops accepting, gives clients up to `drainTimeout` seconds to receive what is queued for them,
    /// disconnects them and waits for the threads to end (the port is free again when it returns).
    /// Idempotent.
    public func close(drainTimeout: Double = 0) {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, drainTimeout) * 1e9)
        while DispatchTime.now().uptimeNanoseconds < deadline,
              clients.withLock({ $0 }).contains(where: { c in c.state.withLock { !$0.closed && ($0.sending || !$0.queue.isEmpty) } }) {
            usleep(10_000)
        }
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for c in clients.withLock({ $0 }) { c.end() }
        threads.wait()
    }

    private func acceptLoop() {
        while !stopping.load(ordering: .acquiring) {
            var p = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) > 0 else { continue }
            let fd = accept(listener, nil, nil)
            if fd < 0 { continue }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            var on: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
            let client = Client(fd: fd)
            clients.withLock { $0.append(client) }
            accepted.add(1, ordering: .relaxed)
            if stopping.load(ordering: .acquiring) { client.end() }
            threads.enter()
            Thread.detachNewThread { [self] in
                writeLoop(client)
                clients.withLock { $0.removeAll { $0 === client } }
                closeSocket(client.fd)
                threads.leave()
            }
        }
        closeSocket(listener)
    }

    private func writeLoop(_ client: Client) {
        while true {
            client.wake.wait()
            let (batch, closed) = client.state.withLock { s -> ([UInt8], Bool) in
                defer { s.queue = []; s.sending = !s.closed }
                return (s.queue, s.closed)
            }
            if closed { return }
            defer { client.state.withLock { $0.sending = false } }
            let ok = batch.withUnsafeBytes { b -> Bool in
                var off = 0
                while off < b.count {
                    let n = send(client.fd, b.baseAddress! + off, b.count - off, Int32(MSG_NOSIGNAL))
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { return false }
                    off += n
                }
                return true
            }
            if !ok {
                client.end()
                return
            }
        }
    }
}

/// `close(2)`, named apart from `LineServer.close()`.
private func closeSocket(_ fd: Int32) { _ = close(fd) }

extension LineServer {
    /// Broadcasts generated access-log lines at `generator.rate` lines per second (live timestamps)
    /// until `shouldStop()` or `count` lines; returns the number of lines generated. Lines are generated
    /// whether or not a client is connected, as a live log is written whether or not someone reads it.
    public func serveGenerated(_ generator: GeneratorConfig, count: Int? = nil, shouldStop: () -> Bool) -> Int {
        var loop = GeneratorLoop(seed: generator.seed, rate: generator.rate)
        var out = [UInt8]()
        out.reserveCapacity(1 << 16)
        let settings = GeneratorLoop.Settings(rate: generator.rate, scenario: generator.scenario)
        return loop.run(count: count, shouldStop: shouldStop, settings: { settings },
                        line: { line in
                            out.append(contentsOf: line)
                            out.append(0x0A)
                            return true
                        },
                        tickDone: { _ in
                            broadcast(out)
                            out.removeAll(keepingCapacity: true)
                            return true
                        })
    }
}
