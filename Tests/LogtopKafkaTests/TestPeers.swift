import Foundation
import LogtopTestSupport
import Synchronization
import Testing
@testable import LogtopKafka

/// A TLS or Kafka peer process on 127.0.0.1 for a test; stopped by `stop()` or when released.
final class TestPeer {
    let process: Process
    let port: Int
    private let stdin: Pipe
    /// Lines the peer printed (the fake broker prints "AUTH ok NAME" / "AUTH failed NAME").
    let output: LineCollector

    private init(process: Process, port: Int, stdin: Pipe, output: LineCollector) {
        self.process = process
        self.port = port
        self.stdin = stdin
        self.output = output
    }

    deinit { stop() }

    /// SIGKILL: a child of the test process inherits its blocked-signal mask (libdispatch threads
    /// block SIGTERM), so `terminate()` may never reach it.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// `openssl s_server` presenting `cert` (a TLS endpoint that does not speak Kafka).
    static func tlsServer(cert: String, key: String) throws -> TestPeer {
        for _ in 0..<5 {
            let port = freePort()
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["openssl", "s_server", "-accept", "127.0.0.1:\(port)", "-cert", cert, "-key", key, "-quiet"]
            // stdin at EOF: s_server then closes each session right after the TLS handshake, so a Kafka
            // client sees TLS succeed and then the peer hang up (it is no Kafka broker).
            let stdin = Pipe()
            try? stdin.fileHandleForWriting.close()
            let out = Pipe()
            p.standardInput = stdin
            p.standardOutput = out
            p.standardError = out
            try p.run()
            let peer = TestPeer(process: p, port: port, stdin: stdin, output: LineCollector(out.fileHandleForReading))
            if waitUntil(10, { !p.isRunning || accepts(port: port) }), p.isRunning { return peer }
            peer.stop()
        }
        throw TestPeerError("openssl s_server did not start")
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// `scripts/fake-kafka-broker.py`: enough Kafka for ApiVersions, SASL (PLAIN) and Metadata; over TLS
    /// when `cert` is given.
    static func fakeBroker(users: [String: String], mechanisms: String = "PLAIN", cert: String? = nil, key: String? = nil) throws -> TestPeer {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var args = ["python3", packageRoot + "/scripts/fake-kafka-broker.py", "--port", "0", "--lifetime", "120",
                    "--mechanisms", mechanisms]
        for (user, password) in users.sorted(by: { $0.key < $1.key }) { args += ["--user", "\(user):\(password)"] }
        if let cert, let key { args += ["--cert", cert, "--key", key] }
        p.arguments = args
        let stdin = Pipe()
        let out = Pipe()
        p.standardInput = stdin
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let lines = LineCollector(out.fileHandleForReading)
        var port: Int?
        _ = waitUntil(15) {
            port = lines.lines.first { $0.hasPrefix("PORT ") }.flatMap { Int($0.dropFirst(5)) }
            return port != nil || !p.isRunning
        }
        guard let port else {
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            throw TestPeerError("the fake broker did not start: \(lines.lines.joined(separator: "\n"))")
        }
        return TestPeer(process: p, port: port, stdin: stdin, output: lines)
    }
}

/// Collects a file handle's lines on a background thread.
final class LineCollector: Sendable {
    private let data = Mutex(Data())

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return }
                data.withLock { $0.append(chunk) }
            }
        }
    }

    var lines: [String] { String(decoding: data.withLock { $0 }, as: UTF8.self).split(separator: "\n").map(String.init) }
}
