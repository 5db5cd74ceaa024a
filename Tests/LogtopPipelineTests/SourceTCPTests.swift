import LogtopTestSupport
import Foundation
import Synchronization
import Testing
@testable import LogtopPipeline

/// Runs a `TCPLineSource` on a thread of its own and records what it hands on.
final class TCPProbe: Sendable {
    let lines = Mutex<[String]>([])
    let states = Mutex<[SourceState]>([])
    let stop = Atomic<Bool>(false)
    let ended = Atomic<Bool>(false)

    init(port: UInt16, initialBackoffMs: Int = 50, maxBackoffMs: Int = 400) {
        Thread.detachNewThread { [self] in
            let source = TCPLineSource(host: "127.0.0.1", port: port, initialBackoffMs: initialBackoffMs, maxBackoffMs: maxBackoffMs)
            source.run(shouldStop: { stop.load(ordering: .relaxed) },
                       state: { s in states.withLock { $0.append(s) } },
                       line: { l in lines.withLock { $0.append(String(decoding: l, as: UTF8.self)) }; return true })
            ended.store(true, ordering: .releasing)
        }
    }

    var received: [String] { lines.withLock { $0 } }
    var lastState: SourceState? { states.withLock { $0.last } }
    var connections: Int { states.withLock { $0.filter { $0 == .connected }.count } }

    func finish() {
        stop.store(true, ordering: .relaxed)
        _ = waitUntil(5) { ended.load(ordering: .acquiring) }
    }
}

/// A plain TCP client that connects to 127.0.0.1:`port` and reads only when told to.
final class RawClient {
    let fd: Int32
    init?(port: UInt16, receiveBuffer: Int32? = nil) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if ok != 0 { close(fd); return nil }
    }
    deinit { close(fd) }

    /// Reads what is available within `timeoutMs`: nil once the server has closed the connection.
    func readAvailable(timeoutMs: Int32 = 100) -> [UInt8]? {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, timeoutMs) > 0 else { return [] }
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        let n = recv(fd, &buf, buf.count, 0)
        if n <= 0 { return nil }
        return Array(buf[0..<n])
    }
}

@Suite struct SourceTCP {
    @Test func reconnectsWhenTheServerRestarts() throws {
        let first = try LineServer(host: "127.0.0.1", port: 0)
        let port = first.port
        #expect(port != 0)
        let probe = TCPProbe(port: port)
        defer { probe.finish() }
        // Lines broadcast before the client is connected are not for it: repeat until they arrive.
        #expect(waitUntil(20) {
            first.broadcast(Array("first 1\nfirst 2\n".utf8))
            return probe.received.contains("first 2")
        })
        #expect(probe.lastState == .connected)
        // A partial line when the server goes away is dropped, never handed on half.
        first.broadcast(Array("cut in the mid".utf8))
        first.close()
        #expect(waitUntil(20) { if case .reconnecting? = probe.lastState { return true } else { return false } })
        // Restarted on the same port: the source reconnects by itself.
        let second = try LineServer(host: "127.0.0.1", port: port)
        defer { second.close() }
        #expect(waitUntil(20) {
            second.broadcast(Array("second 1\n".utf8))
            return probe.received.contains("second 1")
        })
        #expect(probe.connections >= 2)
        #expect(!probe.received.contains { $0.contains("cut in the mid") })
        #expect(Set(probe.received) == ["first 1", "first 2", "second 1"])
    }

    @Test func backsOffWhileNobodyListens() throws {
        // A port nobody listens on: bind one, note it, close it.
        let probeServer = try LineServer(host: "127.0.0.1", port: 0)
        let port = probeServer.port
        probeServer.close()
        let probe = TCPProbe(port: port, initialBackoffMs: 50, maxBackoffMs: 200)
        defer { probe.finish() }
        #expect(waitUntil(20) { probe.states.withLock { $0.filter { if case .reconnecting = $0 { return true } else { return false } }.count } >= 4 })
        // The wait doubles up to the cap: later attempts are announced about 200 ms ahead.
        let waits = probe.states.withLock { $0 }.compactMap { s -> Double? in if case .reconnecting(let at) = s { return at } else { return nil } }
        #expect(waits.count >= 4)
        #expect(zip(waits, waits.dropFirst()).allSatisfy { $0 < $1 }, "each attempt is announced after the previous one")
        #expect(probe.connections == 0)
        // And it connects as soon as a server appears.
        let server = try LineServer(host: "127.0.0.1", port: port)
        defer { server.close() }
        #expect(waitUntil(20) { server.broadcast(Array("hello\n".utf8)); return probe.received.contains("hello") })
    }

    /// The README's limit with the default server: a client that never reads is disconnected once
    /// 4 MiB wait for it, not before.
    @Test func aClientIsDroppedOnlyAfterFallingFourMiBBehind() throws {
        let server = try LineServer(host: "127.0.0.1", port: 0)
        defer { server.close() }
        #expect(server.maxQueuedBytes == 4 << 20)
        let slow = try #require(RawClient(port: server.port, receiveBuffer: 4096))
        defer { withExtendedLifetime(slow) {} }
        #expect(waitUntil(10) { server.clientCount == 1 })
        let line = Array((String(repeating: "y", count: 1023) + "\n").utf8)
        let chunk = Array(repeating: line, count: 64).flatMap { $0 }  // 64 KiB
        var sent = 0
        var sentBeforeDrop = 0
        let deadline = Date().addingTimeInterval(30)
        while server.droppedClients == 0, Date() < deadline {
            sentBeforeDrop = sent
            server.broadcast(chunk)
            sent += chunk.count
            if sent % (1 << 20) == 0 { Thread.sleep(forTimeInterval: 0.01) }  // let its writer fill the socket
        }
        #expect(server.droppedClients == 1)
        // Dropped by the broadcast that would have queued more than 4 MiB for it: everything before
        // that one was accepted.
        #expect(sent > 4 << 20 && sentBeforeDrop > (4 << 20) - chunk.count, "dropped after only \(sentBeforeDrop) bytes")
    }

    @Test func everyClientGetsEveryLineAndASlowOneIsDroppedAlone() throws {
        let server = try LineServer(host: "127.0.0.1", port: 0, maxQueuedBytes: 256 << 10)
        defer { server.close() }
        let fast = try #require(RawClient(port: server.port))
        let slow = try #require(RawClient(port: server.port, receiveBuffer: 4096))
        #expect(waitUntil(10) { server.clientCount == 2 })
        // The fast client reads everything; the slow one never reads. Broadcasts are paced by the fast
        // client, so only the slow one can fall behind.
        var fastBytes = 0
        var sent = 0
        let line = Array((String(repeating: "x", count: 99) + "\n").utf8)
        var batch: [UInt8] = []
        for _ in 0..<80 { batch += line }
        let deadline = Date().addingTimeInterval(30)
        while server.droppedClients == 0, Date() < deadline {
            if sent - fastBytes < 32 << 10 {
                server.broadcast(batch)
                sent += batch.count
            }
            guard let got = fast.readAvailable(timeoutMs: 10) else { break }
            fastBytes += got.count
        }
        #expect(server.droppedClients == 1)
        // The dropped client's writer thread leaves the table right after it is counted.
        #expect(waitUntil(10) { server.clientCount == 1 })
        // The fast client was never held up: it still receives everything broadcast after the drop.
        let marker = Array("after the drop\n".utf8)
        server.broadcast(marker)
        var tail: [UInt8] = []
        #expect(waitUntil(10) {
            if let got = fast.readAvailable(timeoutMs: 20) { tail += got }
            return tail.count >= marker.count && Array(tail.suffix(marker.count)) == marker
        })
        fastBytes += tail.count
        #expect(fastBytes == sent + marker.count)
        // The slow client sees its connection end after what was in flight.
        #expect(waitUntil(10) {
            while let got = slow.readAvailable(timeoutMs: 20) { if got.isEmpty { return false } }
            return true
        })
    }
}

/// The reconnection schedule the README promises, with the defaults users get.
@Suite struct ReconnectSchedule {
    @Test func theDefaultsWait250msDoublingTo5s() {
        let config = PipelineConfig()
        var backoff = ReconnectBackoff(initialMs: config.reconnectInitialMs, maxMs: config.reconnectMaxMs)
        #expect((0..<8).map { _ in backoff.nextWaitMs() } == [250, 500, 1_000, 2_000, 4_000, 5_000, 5_000, 5_000])
        backoff.reset()
        #expect(backoff.nextWaitMs() == 250, "a connection that delivered data starts the schedule again")
    }

    @Test func oddSettingsStaySane() {
        var zero = ReconnectBackoff(initialMs: 0, maxMs: 0)
        let zeros: [Int] = [zero.nextWaitMs(), zero.nextWaitMs()]
        #expect(zeros == [1, 1])
        var inverted = ReconnectBackoff(initialMs: 300, maxMs: 100)
        let waits: [Int] = [inverted.nextWaitMs(), inverted.nextWaitMs()]
        #expect(waits == [300, 300])
    }
}
