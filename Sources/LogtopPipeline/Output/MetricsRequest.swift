/// What a request head (bytes up to the blank line) asks the metrics server for. Read from the bytes
/// as they came (no `String`, no Foundation): a scraper in a tight loop must cost little to answer.
enum MetricsRequest: Equatable {
    case metrics(openMetrics: Bool)
    case notFound
    case methodNotAllowed
    case bad

    /// The index just past `\r\n\r\n` (or `\n\n`) in `bytes`, if present.
    static func headEnd(_ bytes: [UInt8]) -> Int? {
        var i = 0
        while i < bytes.count {
            if bytes[i] == 10 {
                if i + 1 < bytes.count, bytes[i + 1] == 10 { return i + 2 }
                if i + 2 < bytes.count, bytes[i + 1] == 13, bytes[i + 2] == 10 { return i + 3 }
            }
            i += 1
        }
        return nil
    }

    init(head: [UInt8]) {
        let lines = head.split(separator: UInt8(ascii: "\n")).map { $0.last == UInt8(ascii: "\r") ? $0.dropLast() : $0 }
        let parts = lines.first?.split(separator: UInt8(ascii: " ")) ?? []
        guard parts.count == 3, parts[2].starts(with: "HTTP/1.".utf8) else { self = .bad; return }
        guard parts[0].elementsEqual("GET".utf8) else { self = .methodNotAllowed; return }
        guard parts[1].prefix(while: { $0 != UInt8(ascii: "?") }).elementsEqual("/metrics".utf8) else { self = .notFound; return }
        let accept = lines.dropFirst().first { Self.lowercased($0).starts(with: "accept:".utf8) }
        self = .metrics(openMetrics: accept.map { Self.contains(Self.lowercased($0), "application/openmetrics-text") } ?? false)
    }

    private static func lowercased(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        bytes.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 }
    }

    private static func contains(_ bytes: [UInt8], _ needle: String) -> Bool {
        let n = Array(needle.utf8)
        guard bytes.count >= n.count else { return false }
        return (0...(bytes.count - n.count)).contains { bytes[$0..<($0 + n.count)].elementsEqual(n) }
    }
}
