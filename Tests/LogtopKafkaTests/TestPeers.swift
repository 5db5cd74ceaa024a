import Foundation
import Testing
@testable import LogtopKafka

/// Throw-away certificates made with `openssl` once per test process (EC P-256, valid two days):
/// a CA, another CA, and server certificates signed by the CA for localhost + 127.0.0.1, for a
/// wrong host name, and an expired one.
struct TestCertificates: Sendable {
    let dir: String
    var ca: String { dir + "/ca.crt" }
    var otherCA: String { dir + "/other-ca.crt" }
    var key: String { dir + "/server.key" }
    /// Valid for localhost and 127.0.0.1.
    var localhost: String { dir + "/localhost.crt" }
    /// Valid for wrong.example only.
    var wrongHost: String { dir + "/wrong-host.crt" }
    /// localhost and 127.0.0.1, but expired in 2020.
    var expired: String { dir + "/expired.crt" }

    static let shared: Result<TestCertificates, TestPeerError> = Result { () throws(TestPeerError) in try make() }

    static func make() throws(TestPeerError) -> TestCertificates {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("logtop-tls-\(UUID().uuidString.prefix(8))").path
        do {
            try FileManager.default.createDirectory(atPath: dir + "/ca-db", withIntermediateDirectories: true)
            try "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n".write(toFile: dir + "/localhost.ext", atomically: true, encoding: .utf8)
            try "subjectAltName=DNS:wrong.example\nextendedKeyUsage=serverAuth\n".write(toFile: dir + "/wrong.ext", atomically: true, encoding: .utf8)
            try "".write(toFile: dir + "/ca-db/index.txt", atomically: true, encoding: .utf8)
            try "01\n".write(toFile: dir + "/ca-db/serial", atomically: true, encoding: .utf8)
            try """
            [ca]
            default_ca = test
            [test]
            database = \(dir)/ca-db/index.txt
            serial = \(dir)/ca-db/serial
            new_certs_dir = \(dir)/ca-db
            default_md = sha256
            policy = anything
            [anything]
            commonName = supplied

            """.write(toFile: dir + "/ca.cnf", atomically: true, encoding: .utf8)
        } catch {
            throw TestPeerError("cannot write in \(dir): \(error)")
        }
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        let caExt = ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]
        let steps: [[String]] = [
            ["req", "-x509"] + ec + ["-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=logtop test CA"] + caExt,
            ["req", "-x509"] + ec + ["-keyout", "other-ca.key", "-out", "other-ca.crt", "-days", "2", "-subj", "/CN=another CA"] + caExt,
            ["req"] + ec + ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"],
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "localhost.crt", "-days", "2", "-extfile", "localhost.ext"],
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "wrong-host.crt", "-days", "2", "-extfile", "wrong.ext"],
            ["ca", "-batch", "-notext", "-config", "ca.cnf", "-cert", "ca.crt", "-keyfile", "ca.key", "-in", "server.csr",
             "-out", "expired.crt", "-startdate", "20200101000000Z", "-enddate", "20200102000000Z", "-extfile", "localhost.ext"],
        ]
        for args in steps {
            let (status, output) = runTool(["openssl"] + args, in: dir)
            guard status == 0 else { throw TestPeerError("openssl \(args.prefix(2).joined(separator: " ")) failed: \(output)") }
        }
        return TestCertificates(dir: dir)
    }
}

struct TestPeerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs a tool found on PATH, returning its exit status and combined output.
@discardableResult
func runTool(_ args: [String], in dir: String? = nil, environment: [String: String]? = nil) -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = args
    if let dir { p.currentDirectoryURL = URL(fileURLWithPath: dir) }
    if let environment { p.environment = environment }
    let out = Pipe()
    p.standardOutput = out
    p.standardError = out
    p.standardInput = FileHandle.nullDevice
    do { try p.run() } catch { return (-1, "cannot run \(args[0]): \(error)") }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A free TCP port on 127.0.0.1 (the kernel's choice; free when this returns).
func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// Whether something accepts TCP connections on 127.0.0.1:`port`.
func accepts(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    } == 0
}

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
            if waitUntil(seconds: 10, { !p.isRunning || accepts(port: port) }), p.isRunning { return peer }
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
        _ = waitUntil(seconds: 15) {
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
    private let data = Locked(Data())

    init(_ handle: FileHandle) {
        let data = self.data
        Thread.detachNewThread {
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return }
                data.withLock { $0.append(chunk) }
            }
        }
    }

    var lines: [String] { String(decoding: data.snapshot, as: UTF8.self).split(separator: "\n").map(String.init) }
}
