import LogtopTestSupport
import Foundation
import Testing
@testable import LogtopPipeline

/// Appends to a file the way a logger does (`O_APPEND`), keeping it open across renames.
final class LogWriter {
    let fd: Int32
    init(_ path: String, truncate: Bool = false) {
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0o644)
        precondition(fd >= 0, "cannot open \(path)")
    }
    deinit { close(fd) }
    func write(_ text: String) {
        let bytes = Array(text.utf8)
        precondition(bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) } == bytes.count)
    }
}

/// Polls `follower` until it has nothing more to read right now; returns the lines it handed on.
func drain(_ follower: FileFollower) -> [String] {
    var lines: [String] = []
    var rounds = 0
    while follower.poll({ lines.append(String(decoding: $0, as: UTF8.self)); return true }) {
        rounds += 1
        precondition(rounds < 100_000)
    }
    return lines
}

@Suite struct SourceFileFollowing {
    @Test func followsGrowthFromTheEndOrFromTheStart() throws {
        let path = try temporaryDirectory() + "/access.log"
        let w = LogWriter(path)
        w.write("old 1\nold 2\n")
        let fromEnd = FileFollower(path: path, fromStart: false)
        let fromStart = FileFollower(path: path, fromStart: true)
        #expect(drain(fromEnd) == [])
        #expect(fromEnd.phase == .atEnd)
        #expect(drain(fromStart) == ["old 1", "old 2"])
        w.write("new 1\nnew 2\n")
        #expect(drain(fromEnd) == ["new 1", "new 2"])
        #expect(drain(fromStart) == ["new 1", "new 2"])
        w.write("new 3\n")
        #expect(drain(fromEnd) == ["new 3"])
        #expect(fromEnd.rotations == 0 && fromEnd.truncations == 0)
    }

    @Test func startingAtTheEndSkipsTheRestOfAnUnfinishedLine() throws {
        let path = try temporaryDirectory() + "/access.log"
        let w = LogWriter(path)
        w.write("whole\nhalf a li")
        let f = FileFollower(path: path, fromStart: false)
        #expect(drain(f) == [])
        w.write("ne\nnext\n")
        #expect(drain(f) == ["next"])
    }

    @Test func aLineIsHandedOnOnlyOnceComplete() throws {
        let path = try temporaryDirectory() + "/access.log"
        let w = LogWriter(path)
        let f = FileFollower(path: path, fromStart: true)
        w.write("first line\nsecond ")
        #expect(drain(f) == ["first line"])
        w.write("li")
        #expect(drain(f) == [])
        w.write("ne\nthird")
        #expect(drain(f) == ["second line"])
        w.write("\n")
        #expect(drain(f) == ["third"])
    }

    @Test func rotationByRenameLosesNothing() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/access.log"
        let old = LogWriter(path)
        let f = FileFollower(path: path, fromStart: false, rotationGrace: 0.3)
        old.write("a1\na2\n")
        #expect(drain(f) == ["a1", "a2"])
        // logrotate: rename, create a new file; the writer still appends to the old one until it
        // reopens its log, and a line may be cut across that moment.
        #expect(rename(path, dir + "/access.log.1") == 0)
        old.write("a3\n")
        #expect(drain(f) == ["a3"])            // the name is gone: keeps reading the old file
        #expect(f.phase == .waitingForFile)
        let new = LogWriter(path)
        new.write("b1\n")
        old.write("a4\n")                      // written to the old file after the new one appeared
        old.write("a5 unfinished")
        var seen = drain(f)
        #expect(f.rotations == 1)
        new.write("b2\n")
        // After the grace period the old file is closed and its unfinished last line handed on.
        #expect(waitUntil(10) { seen += drain(f); return seen.contains("a5 unfinished") })
        seen += drain(f)
        #expect(Set(seen) == ["a4", "a5 unfinished", "b1", "b2"])
        #expect(seen.count == 4)
        #expect(seen.firstIndex(of: "a4")! < seen.firstIndex(of: "b2")!)
        new.write("b3\n")
        #expect(drain(f) == ["b3"])
    }

    @Test func copyTruncateRestartsAtTheBeginning() throws {
        let path = try temporaryDirectory() + "/access.log"
        let w = LogWriter(path)
        let f = FileFollower(path: path, fromStart: true)
        w.write("line 1 of the first life\nline 2 of the first life\n")
        #expect(drain(f).count == 2)
        #expect(truncate(path, 0) == 0)         // logrotate copytruncate
        w.write("c1\nc2\n")                    // shorter than what was read: seen as a truncation
        #expect(drain(f) == ["c1", "c2"])
        #expect(f.truncations == 1)
        w.write("c3\n")
        #expect(drain(f) == ["c3"])
    }

    @Test func aFileThatDoesNotExistYetIsReadFromItsStartOnceItAppears() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/later.log"
        let f = FileFollower(path: path, fromStart: false)
        #expect(drain(f) == [])
        #expect(f.phase == .waitingForFile)
        #expect(f.lastError == nil)
        let w = LogWriter(path)
        w.write("x1\nx2\n")
        #expect(drain(f) == ["x1", "x2"])   // a new file is read from its start even when following from the end
        #expect(f.phase == .atEnd)
        // Removed and created again (not a rename of the open file): also followed.
        #expect(unlink(path) == 0)
        #expect(drain(f) == [])
        #expect(f.phase == .waitingForFile)
        let w2 = LogWriter(path)
        w2.write("y1\n")
        #expect(drain(f) == ["y1"])
        _ = w
    }

    @Test func gzipRotatedFilesAreDecompressed() throws {
        let dir = try temporaryDirectory()
        let plain = dir + "/access.log.2"
        var text = ""
        for i in 0..<5_000 { text += "10.0.0.\(i % 250) line \(i)\n" }
        text += "last line without newline"
        try text.write(toFile: plain, atomically: true, encoding: .utf8)
        let gzip = try #require(["/usr/bin/gzip", "/bin/gzip"].first { FileManager.default.isExecutableFile(atPath: $0) })
        #expect(runTool([gzip, plain]).0 == 0)
        let path = plain + ".gz"
        #expect(GzipLineReader.isGzip(path: path))
        #expect(!GzipLineReader.isGzip(path: dir + "/nothing"))
        let reader = try GzipLineReader(path: path, chunkSize: 4096)
        var lines: [String] = []
        var outcome = GzipLineReader.Outcome.more
        while outcome == .more { outcome = reader.read { lines.append(String(decoding: $0, as: UTF8.self)); return true } }
        #expect(outcome == .end)
        #expect(lines.count == 5_001)
        #expect(lines.first == "10.0.0.0 line 0")
        #expect(lines.last == "last line without newline")

        // A truncated archive gives its lines up to the cut, then says what is wrong.
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let cut = dir + "/cut.log.gz"
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: cut))
        let broken = try GzipLineReader(path: cut, chunkSize: 4096)
        var partial = 0
        outcome = .more
        while outcome == .more { outcome = broken.read { _ in partial += 1; return true } }
        guard case .failed(let why) = outcome else { Issue.record("expected an error, got \(outcome)"); return }
        #expect(why.contains(cut))
        #expect(partial > 0 && partial < 5_001)
    }

    @Test func sourceSpecsParse() {
        #expect(SourceSpec(parsing: "file:/a.log", follow: true) == .followedFile("/a.log", fromStart: false))
        #expect(SourceSpec(parsing: "file:/a.log", follow: true, fromStart: true) == .followedFile("/a.log", fromStart: true))
        #expect(SourceSpec(parsing: "file:/a.log.2.gz", follow: true) == .file("/a.log.2.gz"))
        #expect(SourceSpec(parsing: "file:/a.log") == .file("/a.log"))
        #expect(SourceSpec(parsing: "tcp://127.0.0.1:9000") == .tcp(host: "127.0.0.1", port: 9000))
        #expect(SourceSpec(parsing: "tcp://logs.example:514") == .tcp(host: "logs.example", port: 514))
        #expect(SourceSpec(parsing: "tcp://[::1]:9000") == .tcp(host: "::1", port: 9000))
        #expect(SourceSpec(parsing: "tcp://[::1]:9000")?.description == "tcp://[::1]:9000")
        for bad in ["tcp://host", "tcp://:9000", "tcp://h:0", "tcp://h:70000", "tcp://::1:9000", "tcp://h:9x"] {
            #expect(SourceSpec(parsing: bad) == nil, "\(bad)")
        }
        #expect(SourceSpec.hostPort("127.0.0.1:0", allowZero: true)! == ("127.0.0.1", 0))
        #expect(SourceSpec.followedFile("/x", fromStart: false).description == "file:/x")
        #expect(!SourceSpec.followedFile("/x", fromStart: false).isFinite)
        #expect(!SourceSpec.tcp(host: "h", port: 1).isFinite)
        #expect(SourceSpec.file("/x").isFinite && SourceSpec.stdin.isFinite)
        #expect(SourceState.reconnecting(at: 100).text(now: 98.2) == "reconnecting in 2s")
        #expect(SourceStatus(name: "stdin", state: .reading, waiting: .analyzer).text() == "waiting for analyzer")
    }
}
