import Foundation
import Testing

/// The logtop binary under test started as a child process in `dir`, its standard error collected.
/// Standard output goes nowhere, standard input is `stdin` or nothing. `environment` nil: this
/// process's; pass one to keep a developer's Kafka settings out of the run.
public func launchLogtop(_ args: [String], in dir: String, stdin: FileHandle? = nil,
                         environment: [String: String]? = nil) throws -> (Process, TextCollector) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: try logtopBinary())
    p.arguments = args
    p.currentDirectoryURL = URL(fileURLWithPath: dir)
    if let environment { p.environment = environment }
    let err = Pipe()
    p.standardError = err
    p.standardOutput = FileHandle.nullDevice
    p.standardInput = stdin ?? FileHandle.nullDevice
    try p.run()
    return (p, TextCollector(err.fileHandleForReading))
}

/// `logtop broker` (the in-memory development broker) in a process of its own, for tests that run
/// several logtop processes against one cluster; stopped when the value goes away.
public final class DevelopmentBroker {
    public let process: Process
    public let stderr: TextCollector
    /// `127.0.0.1:PORT`.
    public let address: String

    /// Starts `logtop broker` with `args` (e.g. `--topic`, `--inject-errors`) and waits until it says
    /// where it listens.
    public init(_ args: [String] = [], in dir: String = FileManager.default.temporaryDirectory.path) throws {
        (process, stderr) = try launchLogtop(["broker"] + args, in: dir, environment: ["PATH": "/usr/bin:/bin", "HOME": dir])
        let said = stderr
        let prefix = "embedded Kafka broker at "
        guard waitUntil(20, { said.text.contains(prefix) }),
              let line = said.text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else {
            process.terminate()
            throw MissingTool(description: "logtop broker did not start: \(said.text)")
        }
        address = String(line.dropFirst(prefix.count))
    }

    /// `--brokers ADDRESS --no-create-topics`: how other processes use it.
    public var clientArguments: [String] { ["--brokers", address, "--no-create-topics"] }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
    }
}
