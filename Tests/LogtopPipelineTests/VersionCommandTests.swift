import Foundation
import LogtopCore
import LogtopTestSupport
import Testing

/// `logtop --version`, the `--help` header and the results files of the real binary name the version
/// (`Logtop.version`), so a report says what produced it.
@Suite(.serialized) struct VersionCommand {
    @Test func versionFlagPrintsTheVersion() throws {
        let (status, out) = runTool([try logtopBinary(), "--version"], timeout: 30)
        #expect(status == 0)
        #expect(out == "logtop \(Logtop.version)\n")
    }

    @Test func helpHeaderNamesTheVersion() throws {
        let (status, out) = runTool([try logtopBinary(), "--help"], stderr: false, timeout: 30)
        #expect(status == 0)
        let header = out.split(separator: "\n").prefix(3).joined(separator: " ")
        #expect(header.hasPrefix("OVERVIEW:"))
        #expect(header.contains("(logtop \(Logtop.version))"), "\(header)")
    }

    @Test(.timeLimit(.minutes(5))) func resultsNameTheVersion() throws {
        let dir = try temporaryDirectory("cli")
        let input = Pipe()
        let (p, _) = try BatchCommand().launch(["--batch", "--source", "stdin", "--results-json", "r.jsonl"], in: dir,
                                               stdin: input.fileHandleForReading)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let lines = (0..<20).map { "10.0.0.1 - - [26/Nov/2026:10:00:0\($0 % 10) +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"t\"\n" }
        input.fileHandleForWriting.write(Data(lines.joined().utf8))
        try input.fileHandleForWriting.close()
        #expect(waitUntil(60) { !p.isRunning })
        #expect(p.terminationStatus == 0)
        let text = try String(contentsOfFile: dir + "/results.txt", encoding: .utf8)
        let block = try #require(text.range(of: "==== TOTAL ").map { text[$0.lowerBound...] })
        #expect(block.split(separator: "\n")[1] == "logtop          \(Logtop.version)")
        let json = try String(contentsOfFile: dir + "/r.jsonl", encoding: .utf8).split(separator: "\n")
        let kafka = try #require(json.last)
        #expect(kafka.hasPrefix("{\"type\":\"kafka\",\"logtop\":\"\(Logtop.version)\","), "\(kafka)")
    }
}
