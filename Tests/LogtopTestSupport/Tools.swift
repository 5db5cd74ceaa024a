import Foundation

/// A tool a test needs is missing: the test fails with the Debian package that brings it (every one of
/// them is installed by `scripts/setup.sh`), it never skips.
public struct MissingTool: Error, CustomStringConvertible {
    public let description: String
}

/// The path of `tool` (searched in /usr/bin, /bin, /usr/local/bin and PATH), or a `MissingTool` error
/// naming `package`.
public func requireTool(_ tool: String, package: String) throws -> String {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    let dirs = ["/usr/bin", "/bin", "/usr/local/bin"] + path.split(separator: ":").map(String.init)
    for dir in dirs where FileManager.default.isExecutableFile(atPath: dir + "/" + tool) {
        return dir + "/" + tool
    }
    throw MissingTool(description: "\(tool) is not installed: apt-get install \(package) (scripts/setup.sh installs it)")
}

/// The `logtop` binary under test: `LOGTOP_BIN` if set, else the one `swift test` built beside this
/// test bundle (never a stale binary from another build folder).
public func logtopBinary() throws -> String {
    if let b = ProcessInfo.processInfo.environment["LOGTOP_BIN"], !b.isEmpty { return b }
    let fm = FileManager.default
    let exe = (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var dir = URL(fileURLWithPath: exe).resolvingSymlinksInPath().deletingLastPathComponent()
    // The test runner sits in the build folder, or inside the .xctest bundle in it.
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("logtop").path
        if fm.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    throw MissingTool(description: "the logtop binary is not beside the tests (\(exe)): run `swift build` first, or set LOGTOP_BIN")
}
