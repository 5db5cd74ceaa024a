import LogtopTestSupport
import Foundation
import LogtopCore
import Testing
@testable import LogtopPipeline

@Suite struct HostileInputThroughThePipeline {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func everyLineIsCountedAndNoControlByteReachesTheReports() throws {
        let dir = Self.root.appendingPathComponent("Fuzz/corpus")
        let seeds = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
            .compactMap { FileManager.default.contents(atPath: dir.appendingPathComponent($0).path) }.map { Array($0) }
        try #require(seeds.count >= 10)
        var rng = SplitMix64(seed: 99)
        var data: [UInt8] = []
        for i in 0..<3_000 {
            var b = seeds[i % seeds.count]
            for _ in 0..<Int(rng.next() % 5) where !b.isEmpty {
                let k = Int(rng.next() % UInt64(b.count))
                b[k] = UInt8(truncatingIfNeeded: rng.next())
            }
            data += b + [0x0A]
        }
        data += [UInt8](repeating: 0x41, count: 2 << 20) + [0x0A]   // a 2 MiB line
        // Independent count of lines, split on \n as any reader would (the last line ends with \n).
        let expected = data.split(separator: 0x0A, omittingEmptySubsequences: false).count - 1
        let path = try temporaryFile("")
        try Data(data).write(to: URL(fileURLWithPath: path))
        let results = path + ".results.txt", json = path + ".results.jsonl"
        let writer = try ResultsWriter(textPath: results, jsonPath: json)
        let pipeline = try Pipeline(config: quickConfig([.file(path)]))
        #expect(waitUntil(90) { pipeline.finiteRunComplete })
        pipeline.finish()
        writer.write(pipeline.takeReports())
        let s = pipeline.status()
        #expect(s.snapshot.linesSeen == expected)
        #expect(s.producer.delivered == expected && s.producer.failed == 0)
        for file in [results, json] {
            let bytes = try #require(FileManager.default.contents(atPath: file))
            #expect(!bytes.isEmpty)
            #expect(!bytes.contains { ($0 < 0x20 && $0 != 0x0A) || $0 == 0x7F })
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(!text.unicodeScalars.contains { (0x80...0x9F).contains($0.value) })
        }
        let totalLine = try #require(String(decoding: FileManager.default.contents(atPath: json)!, as: UTF8.self)
            .split(separator: "\n").last)
        #expect(totalLine.contains("\"type\":\"total\""))
        let malformed = s.snapshot.malformed
        #expect(malformed > 0 && malformed < expected)
        #expect(s.snapshot.runTotalRequests + malformed == expected)
    }
}
