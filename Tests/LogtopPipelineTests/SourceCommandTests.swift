import LogtopTestSupport
import Foundation
import Testing


/// Drives `logtop --source ...` and `logtop generate --listen` as processes.
@Suite(.serialized) struct SourceCommands {
    func launch(_ args: [String], in dir: String) throws -> (Process, TextCollector) { try launchLogtop(args, in: dir) }

    /// The run's `"type":"total"` line of a `--results-json` file.
    func totalJSON(_ path: String) throws -> String {
        let json = try String(contentsOfFile: path, encoding: .utf8)
        return String(try #require(json.split(separator: "\n").last { $0.contains("\"type\":\"total\"") }))
    }

    @Test func generateListenFeedsLogtopOverTCP() throws {
        let dir = try temporaryDirectory()
        let (gen, genErr) = try launch(["generate", "--listen", "127.0.0.1:0", "--rate", "300"], in: dir)
        defer { if gen.isRunning { gen.terminate() } }
        var address = ""
        #expect(waitUntil(20) {
            guard let line = genErr.text.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }) else { return false }
            address = String(line.dropFirst("listening on ".count))
            return true
        })
        #expect(address.hasPrefix("127.0.0.1:") && !address.hasSuffix(":0"))
        let (run, runErr) = try launch(["--batch", "--source", "tcp://\(address)", "--duration", "6s",
                                        "--results-json", "r.jsonl"], in: dir)
        #expect(waitUntil(60) { !run.isRunning })
        #expect(run.terminationStatus == 0, "\(runErr.text)")
        let total = try totalJSON(dir + "/r.jsonl")
        #expect(total.contains("\"type\":\"total\""))
        let object = try JSONSerialization.jsonObject(with: Data(total.utf8)) as? [String: Any]
        #expect((object?["requests"] as? Int ?? 0) > 0, "\(total)")
        kill(gen.processIdentifier, SIGTERM)
        #expect(waitUntil(20) { !gen.isRunning })
        #expect(gen.terminationStatus == 0)
        #expect(waitUntil(5) { genErr.finished })
        #expect(genErr.text.contains("1 clients, 0 dropped"), "\(genErr.text)")
    }

    @Test func followWaitsForAMissingFileAndReadsItWhenItAppears() throws {
        let dir = try temporaryDirectory()
        let (run, runErr) = try launch(["--batch", "--source", "file:later.log", "--follow", "--progress", "0.5s",
                                        "--results-json", "r.jsonl"], in: dir)
        #expect(waitUntil(20) { runErr.text.contains("embedded Kafka broker") })
        #expect(run.isRunning)
        var lines = ""
        for i in 0..<400 {
            lines += "10.1.0.\(i % 7) - - [26/Nov/2026:09:00:\(String(format: "%02d", i / 10)) +0000] \"GET /f\(i % 3) HTTP/1.1\" \(i % 4 == 0 ? 404 : 200) 5 \"-\" \"t\"\n"
        }
        try lines.write(toFile: dir + "/later.log", atomically: false, encoding: .utf8)
        // Every line analysed (the progress line says so), and the run goes on: following never ends it.
        #expect(waitUntil(60) { runErr.text.contains("progress: lines 400 ") }, "\(runErr.text)")
        #expect(run.isRunning)
        kill(run.processIdentifier, SIGTERM)
        #expect(waitUntil(30) { !run.isRunning })
        #expect(run.terminationStatus == 0, "\(runErr.text)")
        #expect(runErr.text.contains("signal"))
        let total = try totalJSON(dir + "/r.jsonl")
        #expect(total.contains("\"requests\":400"), "\(total)")
        #expect(total.contains("\"404\":100"))
        #expect(total.contains("\"start\":\"2026-11-26T09:00:00Z\""))
    }

    @Test func followFlagsAreChecked() throws {
        let dir = try temporaryDirectory()
        for (args, needle) in [(["--batch", "--source", "file:x.log", "--from-end"], "add --follow"),
                               (["--batch", "--source", "file:x.log", "--follow", "--from-start", "--from-end"], "exclude each other"),
                               (["--batch", "--source", "tcp://nohost"], "tcp://HOST:PORT"),
                               (["generate", "--listen", "127.0.0.1"], "--listen 127.0.0.1")] {
            let (p, err) = try launch(args, in: dir)
            #expect(waitUntil(15) { !p.isRunning })
            #expect(p.terminationStatus != 0)
            #expect(waitUntil(5) { err.finished })
            #expect(err.text.contains(needle), "\(args): \(err.text)")
        }
    }
}
