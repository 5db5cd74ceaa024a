import Foundation
import Testing
@testable import LogtopCore

private func record(_ line: String, format: LogFormat = .auto, keepQuery: Bool = false) -> LogRecord? {
    var p = AccessLogParser(format: format, keepQuery: keepQuery)
    if case .record(let r) = p.parse(line) { return r }
    return nil
}

private func reason(_ line: String, format: LogFormat = .auto) -> MalformedReason? {
    var p = AccessLogParser(format: format)
    if case .malformed(let m) = p.parse(line) { return m }
    return nil
}

private func bytesRecord(_ bytes: [UInt8]) -> ParseOutcome {
    var p = AccessLogParser()
    return bytes.withUnsafeBufferPointer { p.parse($0) }
}

// 2000-10-10T20:55:36Z
private let oct10: Int64 = 971_211_336

@Suite struct CombinedAndCommon {
    @Test func apacheCombinedWithTimeZone() throws {
        let r = try #require(record(#"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif?x=1 HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)""#))
        #expect(r.client == "127.0.0.1")
        #expect(r.time == oct10)
        #expect(r.method == "GET")
        #expect(r.path == "/apache_pb.gif")
        #expect(r.proto == "HTTP/1.0")
        #expect(r.status == 200)
        #expect(r.bytes == 2326)
        #expect(r.referrer == "http://www.example.com/start.html")
        #expect(r.userAgent == "Mozilla/4.08 [en] (Win98; I ;Nav)")
        #expect(r.requestTimeMicros == nil)
    }

    @Test func positiveHalfHourZoneConvertsToUTC() throws {
        let r = try #require(record(#"10.0.0.1 - - [11/Oct/2000:00:25:36 +0330] "GET / HTTP/1.1" 200 10 "-" "-""#))
        #expect(r.time == oct10)
        #expect(r.referrer == nil)
        #expect(r.userAgent == nil)
    }

    @Test func commonFormat() throws {
        let r = try #require(record(#"192.168.1.20 - - [10/Oct/2000:20:55:36 +0000] "POST /login HTTP/1.1" 302 -"#))
        #expect(r.method == "POST")
        #expect(r.status == 302)
        #expect(r.bytes == 0)
        #expect(r.referrer == nil)
        #expect(record(#"192.168.1.20 - - [10/Oct/2000:20:55:36 +0000] "POST /login HTTP/1.1" 302 -"#, format: .combined) == nil)
        #expect(record(#"192.168.1.20 - - [10/Oct/2000:20:55:36 +0000] "POST /login HTTP/1.1" 302 -"#, format: .common) != nil)
    }

    @Test func virtualHostPrefix() throws {
        let r = try #require(record(#"www.example.com:443 203.0.113.9 - - [10/Oct/2000:20:55:36 +0000] "GET /a HTTP/2.0" 200 5 "-" "curl/8.0""#))
        #expect(r.vhost == "www.example.com:443")
        #expect(r.client == "203.0.113.9")
        #expect(r.proto == "HTTP/2.0")
        #expect(r.userAgent == "curl/8.0")
        #expect(record(#"www.example.com:443 203.0.113.9 - - [10/Oct/2000:20:55:36 +0000] "GET /a HTTP/2.0" 200 5 "-" "curl/8.0""#, format: .combined) == nil)
    }

    @Test func nginxTrailingRequestTimeAndForwardedFor() throws {
        let r = try #require(record(#"2001:db8::1 - - [10/Oct/2000:20:55:36 +0000] "GET /api/v1/items/7?page=2 HTTP/1.1" 200 512 "-" "python-requests/2.31" "198.51.100.1, 10.0.0.2" 0.254 0.250"#))
        #expect(r.client == "2001:db8::1")
        #expect(r.path == "/api/v1/items/7")
        #expect(r.requestTimeMicros == 254_000)
        let plain = try #require(record(#"h.example.org - - [10/Oct/2000:20:55:36 +0000] "HEAD / HTTP/3" 200 0 "-" "-" 1.5"#))
        #expect(plain.client == "h.example.org")
        #expect(plain.requestTimeMicros == 1_500_000)
        // A bare integer is ambiguous (%D is microseconds, %T seconds): ignored.
        let integer = try #require(record(#"1.2.3.4 - - [10/Oct/2000:20:55:36 +0000] "GET / HTTP/1.1" 200 1 "-" "-" 52341"#))
        #expect(integer.requestTimeMicros == nil)
    }

    /// The byte count and the request time are read in one pass each: every shape they can take.
    @Test func byteCountsAndRequestTimesInEveryShape() throws {
        let head = #"1.2.3.4 - - [10/Oct/2000:20:55:36 +0000] "GET / HTTP/1.1" 200 "#
        #expect(try #require(record(head + #"- "-" "-""#)).bytes == 0)
        #expect(try #require(record(head + "0")).bytes == 0)
        #expect(try #require(record(head + "123456789012345678")).bytes == 123_456_789_012_345_678)
        #expect(try #require(record(head + "1234567890123456789")).bytes == 1_234_567_890_123_456_789)
        for bad in [#"12a "-" "-""#, "-x", "--", "1-", #""-" "-""#] { #expect(reason(head + bad) == .badBytes, "\(bad)") }
        var times: [(String, Int64?)] = [("0.5", 500_000), ("12.25", 12_250_000), ("1.2345678", 1_234_567)]
        times += [("0.5x", nil), ("12.", nil), (".5", nil), ("9999999999999.5", nil)]
        times += [("abc 0.3", 300_000), ("1.5 2.5", 1_500_000), ("\"x y\" 0.004", 4_000), ("0.5x 0.25", 250_000)]
        times.append(("999999999999.5", 999_999_999_999_500_000))
        for (tail, micros) in times {
            #expect(try #require(record(head + #"5 "-" "-" "# + tail)).requestTimeMicros == micros, "\(tail)")
        }
    }

    @Test func escapedQuotesInsideFields() throws {
        let r = try #require(record(#"1.2.3.4 - - [10/Oct/2000:20:55:36 +0000] "GET /q\"x HTTP/1.1" 200 1 "-" "Mozilla \"quoted\" agent""#))
        #expect(r.path == #"/q\"x"#)
        #expect(r.userAgent == #"Mozilla \"quoted\" agent"#)
    }

    @Test func keepQueryOption() throws {
        let r = try #require(record(#"1.2.3.4 - - [10/Oct/2000:20:55:36 +0000] "GET /s?q=1 HTTP/1.1" 200 1 "-" "-""#, keepQuery: true))
        #expect(r.path == "/s?q=1")
    }

    @Test func dashEmptyAndGarbageRequestsStillCount() throws {
        let dash = try #require(record(#"1.2.3.4 - - [10/Oct/2000:20:55:36 +0000] "-" 400 0 "-" "-""#))
        #expect(dash.status == 400 && dash.method == nil && dash.path == nil)
        let empty = try #require(record(#"1.2.3.4 - - [10/Oct/2000:20:55:36 +0000] "" 400 0 "-" "-""#))
        #expect(empty.status == 400 && empty.path == nil)
        // nginx logs a TLS handshake sent to a plain port like this.
        let tls = try #require(record(#"1.2.3.4 - - [10/Oct/2000:20:55:36 +0000] "\x16\x03\x01\x02\x00\x01\x00\x01\xFC\x03\x03" 400 157 "-" "-""#))
        #expect(tls.status == 400 && tls.method == nil && tls.client == "1.2.3.4")
    }

    @Test func anyMethodAndProtocol() throws {
        for (method, proto) in [("PROPFIND", "HTTP/1.1"), ("PATCH", "HTTP/2.0"), ("GET", "HTTP/3"), ("CONNECT", "HTTP/1.0")] {
            let r = try #require(record("1.2.3.4 - - [10/Oct/2000:20:55:36 +0000] \"\(method) /x \(proto)\" 200 1 \"-\" \"-\""))
            #expect(r.method == method && r.proto == proto)
        }
        let http09 = try #require(record(#"1.2.3.4 - - [10/Oct/2000:20:55:36 +0000] "GET /old" 200 1"#))
        #expect(http09.path == "/old" && http09.proto == nil)
    }

    @Test func percentEncodedAndUTF8Paths() throws {
        let r = try #require(record(#"1.2.3.4 - - [10/Oct/2000:20:55:36 +0000] "GET /caf%C3%A9/%E2%9C%93 HTTP/1.1" 200 1 "-" "-""#))
        #expect(r.path == "/caf%C3%A9/%E2%9C%93")
        let u = try #require(record("1.2.3.4 - - [10/Oct/2000:20:55:36 +0000] \"GET /café/日本 HTTP/1.1\" 200 1 \"-\" \"-\""))
        #expect(u.path == "/café/日本")
    }

    @Test func hugeBytesSaturateInsteadOfOverflowing() throws {
        let big = try #require(record(#"1.2.3.4 - - [10/Oct/2000:20:55:36 +0000] "GET /iso HTTP/1.1" 200 8589934592 "-" "-""#))
        #expect(big.bytes == 8_589_934_592)
        let absurd = try #require(record(#"1.2.3.4 - - [10/Oct/2000:20:55:36 +0000] "GET /iso HTTP/1.1" 200 99999999999999999999999 "-" "-""#))
        #expect(absurd.bytes == Int64.max)
    }

    @Test func malformedLinesAreClassified() {
        #expect(reason("") == .empty)
        #expect(reason("   \r\n") == .empty)
        #expect(reason("hello world") == .noTimestamp)
        #expect(reason(#"1.2.3.4 - - [10/Foo/2000:20:55:36 +0000] "GET / HTTP/1.1" 200 1"#) == .badTimestamp)
        #expect(reason(#"1.2.3.4 - - [10/Oct/2000:20:55:36 +0000] "GET / HTTP/1.1" 2x0 1"#) == .badStatus)
        #expect(reason(#"1.2.3.4 - - [10/Oct/2000:20:55:36 +0000] "GET / HTTP/1.1" 200 -5"#) == .badBytes)
        #expect(reason(#"1.2.3.4 - - [10/Oct/2000:20:55:36 +0000] "GET / HTTP/1.1 200 1"#) == .unterminatedQuote)
        #expect(reason(#"1.2.3.4 - - [10/Oct/2000:20:55:36 +0000] "GET / HTTP/1.1" 200 1 "-" "truncated"#) == .unterminatedQuote)
        #expect(reason(#"a b c d e f [10/Oct/2000:20:55:36 +0000] "GET / HTTP/1.1" 200 1"#) == .badLayout)
        #expect(reason(#"1.2.3.4 - - [10/Oct/2000:20:55:36 +0000] "GET / HTTP/1.1" 099 1"#) == .badStatus)
    }
}

@Suite struct NginxJSON {
    @Test func timeLocalAndRequest() throws {
        let line = #"{"time_local":"10/Oct/2000:13:55:36 -0700","remote_addr":"10.1.2.3","request":"GET /j?x=1 HTTP/1.1","status":"404","body_bytes_sent":"12","request_time":"0.003","http_referer":"","http_user_agent":"curl/8.1"}"#
        let r = try #require(record(line))
        #expect(r.time == oct10)
        #expect(r.client == "10.1.2.3")
        #expect(r.path == "/j")
        #expect(r.status == 404)
        #expect(r.bytes == 12)
        #expect(r.requestTimeMicros == 3000)
        #expect(r.referrer == nil)
        #expect(r.userAgent == "curl/8.1")
    }

    @Test func isoTimeNumbersAndSplitRequest() throws {
        let line = #"{ "time_iso8601": "2000-10-10T22:55:36+02:00", "remote_addr": "2001:db8::2", "request_method": "PUT", "request_uri": "/api/x?y=2", "server_protocol": "HTTP/2.0", "status": 503, "body_bytes_sent": 0, "request_time": 1.25, "extra": {"nested": [1, 2, "}"]} }"#
        let r = try #require(record(line, format: .nginxJSON))
        #expect(r.time == oct10)
        #expect(r.method == "PUT" && r.path == "/api/x" && r.proto == "HTTP/2.0")
        #expect(r.status == 503)
        #expect(r.requestTimeMicros == 1_250_000)
    }

    @Test func escapesAreDecodedThenMadeVisible() throws {
        let line = #"{"time_iso8601":"2000-10-10T20:55:36Z","remote_addr":"1.1.1.1","request":"GET /a\u001b[31mred HTTP/1.1","status":"200","body_bytes_sent":"1","http_user_agent":"x\"y\\z \ud83d\ude00 \x07"}"#
        let r = try #require(record(line))
        #expect(r.path == #"/a\x1b[31mred"#)
        #expect(r.userAgent == "x\"y\\z 😀 \\x07")
    }

    @Test func brokenJSONIsMalformed() {
        #expect(reason(#"{"remote_addr":"1.1.1.1","status":"200""#) == .badJSON)
        #expect(reason(#"{"remote_addr":"1.1.1.1"}"#) == .missingField)
        #expect(reason(#"{"remote_addr":"1.1.1.1","time_iso8601":"yesterday","status":"200"}"#) == .badTimestamp)
        #expect(reason(#"{"remote_addr":"1.1.1.1","time_iso8601":"2000-10-10T20:55:36Z","status":"abc"}"#) == .badStatus)
        #expect(reason(#"{"a":1} trailing"#) == .badJSON)
    }
}

@Suite struct HostileInput {
    @Test func controlCharactersBecomeVisible() throws {
        let line = "1.2.3.4 - - [10/Oct/2000:20:55:36 +0000] \"GET /\u{1b}]0;owned\u{07}x HTTP/1.1\" 200 1 \"-\" \"ua\u{1b}[2J\u{9b}31m\""
        let r = try #require(record(line))
        #expect(r.path == #"/\x1b]0;owned\x07x"#)
        #expect(r.userAgent == #"ua\x1b[2J\u{9b}31m"#)
        for text in [r.path!, r.userAgent!] {
            #expect(!text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        }
    }

    @Test func invalidUTF8AndNULBytes() throws {
        var bytes = Array(#"1.2.3.4 - - [10/Oct/2000:20:55:36 +0000] "GET /"#.utf8)
        bytes += [0xFF, 0xC3, 0x00, 0xE2, 0x82]
        bytes += Array(#" HTTP/1.1" 200 1 "-" "-""#.utf8)
        guard case .record(let r) = bytesRecord(bytes) else { Issue.record("not parsed"); return }
        #expect(r.path == #"/\xff\xc3\x00\xe2\x82"#)
        #expect(bytesRecord([0, 0, 0, 0x0A]) == .malformed(.noTimestamp))
    }

    @Test func megabyteLineIsSurvivedAndFieldsAreCut() throws {
        let long = String(repeating: "A", count: 1 << 20)
        let r = try #require(record("1.2.3.4 - - [10/Oct/2000:20:55:36 +0000] \"GET /\(long) HTTP/1.1\" 200 1 \"-\" \"\(long)\""))
        #expect(r.path!.utf8.count <= Sanitizer.maxFieldBytes + 3)
        #expect(r.path!.hasSuffix("…"))
        #expect(reason(String(repeating: "x", count: 1 << 20)) == .noTimestamp)
        var tooLong = AccessLogParser()
        let huge = [UInt8](repeating: 0x41, count: AccessLogParser.maxLineBytes + 1)
        #expect(huge.withUnsafeBufferPointer { tooLong.parse($0) } == .malformed(.tooLong))
    }

    /// The fuzz corpus in the repository (Fuzz/corpus), also used by scripts/fuzz.sh.
    static func corpus() -> [[UInt8]] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("Fuzz/corpus")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return files.sorted().compactMap { FileManager.default.contents(atPath: dir.appendingPathComponent($0).path).map { Array($0) } }
    }

    /// A bounded, seeded mutation run over the corpus (scripts/fuzz.sh runs libFuzzer for longer).
    @Test func mutatedCorpusNeverTrapsNorLeaksControlCharacters() throws {
        let seeds = Self.corpus()
        try #require(seeds.count >= 10, "Fuzz/corpus is missing")
        var rng = SeededBytes(seed: 42)
        var p = AccessLogParser()
        var parsed = 0, malformed = 0
        let rounds = 30_000
        for i in 0..<rounds {
            var b = seeds[i % seeds.count]
            for _ in 0..<Int.random(in: 0...6, using: &rng) where !b.isEmpty {
                let k = Int.random(in: 0..<b.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: b[k] = UInt8.random(in: 0...255, using: &rng)
                case 1: b.remove(at: k)
                case 2: b.insert(UInt8.random(in: 0...255, using: &rng), at: k)
                default: b.insert(contentsOf: b[k..<min(b.count, k + 8)], at: k)
                }
            }
            switch b.withUnsafeBufferPointer({ p.parse($0) }) {
            case .record(let r):
                parsed += 1
                for t in [r.client, r.method ?? "", r.path ?? "", r.proto ?? "", r.userAgent ?? "", r.referrer ?? "", r.vhost ?? ""] {
                    #expect(!t.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
                }
            case .malformed: malformed += 1
            }
        }
        #expect(parsed + malformed == rounds)
        #expect(parsed > 0 && malformed > 0)
    }
}

@Suite struct SanitizerTests {
    @Test func printableTextPassesUnchanged() {
        #expect(Sanitizer.string("plain /path?x=1 ✓ 日本") == "plain /path?x=1 ✓ 日本")
    }

    @Test func controlsAndBidiAreEscaped() {
        #expect(Sanitizer.string("a\u{1b}b\u{7f}c\u{85}d\u{202e}e") == #"a\x1bb\x7fc\u{85}d\u{202e}e"#)
        #expect(Sanitizer.string([0x41, 0xC0, 0xAF, 0xED, 0xA0, 0x80]) == #"A\xc0\xaf\xed\xa0\x80"#)
    }
}

/// Deterministic RandomNumberGenerator for fuzz-style tests.
struct SeededBytes: RandomNumberGenerator {
    var inner: SplitMix64Test
    init(seed: UInt64) { inner = SplitMix64Test(seed: seed) }
    mutating func next() -> UInt64 { inner.next() }
}
