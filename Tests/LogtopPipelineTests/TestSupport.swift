import Foundation
import LogtopCore
@testable import LogtopPipeline

/// Polls `condition` every 50 ms until it holds or `seconds` pass; returns whether it held.
func waitUntil(_ seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(50_000)
    }
    return condition()
}

/// A temporary file with `text`.
func temporaryFile(_ text: String, name: String = "access.log") throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("logtop-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent(name).path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Runs a program and returns its standard output (nil if it could not start or timed out).
func runProgram(_ path: String, _ args: [String], timeout: Double = 30) -> String? {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    do { try p.run() } catch { return nil }
    let data = Mutex2()
    let reader = Thread { data.set(out.fileHandleForReading.readDataToEndOfFile()) }
    reader.start()
    let deadline = Date().addingTimeInterval(timeout)
    while p.isRunning && Date() < deadline { usleep(50_000) }
    if p.isRunning { p.terminate(); return nil }
    _ = waitUntil(5) { data.get() != nil }
    return data.get().map { String(decoding: $0, as: UTF8.self) }
}

/// A lock-protected Data slot (NSLock makes it thread-safe).
final class Mutex2: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Data?
    func set(_ d: Data) { lock.lock(); value = d; lock.unlock() }
    func get() -> Data? { lock.lock(); defer { lock.unlock() }; return value }
}

/// Short windows so that alert tests take seconds, not minutes.
func quickRules() -> [AlertRule] {
    [
        AlertRule(kind: .errorRate, threshold: 5, window: 5, minVolume: 20, forSeconds: 2),
        AlertRule(kind: .rateHigh, threshold: 100_000, window: 5, minVolume: 0, forSeconds: 2),
        AlertRule(kind: .rateSpike, threshold: 3, window: 3, minVolume: 50, forSeconds: 2, baseline: 8),
        AlertRule(kind: .rateDrop, threshold: 0.2, window: 3, minVolume: 50, forSeconds: 2, resolveRatio: 0.5, baseline: 8),
        AlertRule(kind: .clientFlood, threshold: 50, window: 5, minVolume: 0, forSeconds: 2),
        AlertRule(kind: .notFoundSurge, threshold: 20, window: 5, minVolume: 0, forSeconds: 2),
        AlertRule(kind: .latencyP95, threshold: 1000, window: 5, minVolume: 20, forSeconds: 2),
    ]
}

func quickConfig(_ sources: [SourceSpec], rate: Double = 200, scenario: TrafficScenario? = nil) -> PipelineConfig {
    var c = PipelineConfig()
    c.sources = sources
    c.generator = GeneratorConfig(rate: rate, seed: 7, scenario: scenario)
    c.engine.rules = quickRules()
    c.engine.lateness = 1
    c.engine.interval = 60
    c.snapshotIntervalMs = 100
    return c
}
