import Foundation

/// Throw-away certificates made with `openssl` once per test process (EC P-256, valid two days):
/// a CA, another CA, and server certificates signed by the CA for localhost + 127.0.0.1, for a
/// wrong host name, and an expired one.
public struct TestCertificates: Sendable {
    public let dir: String
    public var ca: String { dir + "/ca.crt" }
    public var otherCA: String { dir + "/other-ca.crt" }
    public var key: String { dir + "/server.key" }
    /// Valid for localhost and 127.0.0.1.
    public var localhost: String { dir + "/localhost.crt" }
    /// Valid for wrong.example only.
    public var wrongHost: String { dir + "/wrong-host.crt" }
    /// localhost and 127.0.0.1, but expired in 2020.
    public var expired: String { dir + "/expired.crt" }

    public static let shared: Result<TestCertificates, TestPeerError> = Result { () throws(TestPeerError) in try make() }

    public static func make() throws(TestPeerError) -> TestCertificates {
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

public struct TestPeerError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Runs a tool found on PATH (or given by its path), returning its exit status and output: standard
/// output and error together, or standard output alone when `stderr` is false. With a `timeout` (seconds)
/// a tool still running then is terminated and the status is -1.
@discardableResult
public func runTool(_ args: [String], in dir: String? = nil, environment: [String: String]? = nil,
                    stderr: Bool = true, timeout: Double? = nil) -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = args
    if let dir { p.currentDirectoryURL = URL(fileURLWithPath: dir) }
    if let environment { p.environment = environment }
    let out = Pipe()
    p.standardOutput = out
    p.standardError = stderr ? out : FileHandle.nullDevice
    p.standardInput = FileHandle.nullDevice
    do { try p.run() } catch { return (-1, "cannot run \(args[0]): \(error)") }
    let collected = TextCollector(out.fileHandleForReading)
    if let timeout, !waitUntil(timeout, { !p.isRunning }) {
        p.terminate()
        p.waitUntilExit()
        return (-1, collected.text)
    }
    p.waitUntilExit()
    _ = waitUntil(5) { collected.finished }
    return (p.terminationStatus, collected.text)
}
