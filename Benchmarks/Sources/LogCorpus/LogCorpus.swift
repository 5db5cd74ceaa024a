import LogtopCore

/// A combined-format access log held in memory as one byte array, so that a benchmark measures
/// parsing and aggregation, not generation.
///
/// Lines come from `TrafficModel` (background traffic, no scenario) with event time advancing by one
/// second every `linesPerSecond` lines, as a busy but ordinary web server would log them.
public struct LogCorpus: Sendable {
    /// Every line followed by `\n`.
    public let bytes: [UInt8]
    /// Start of every line in `bytes`, plus one final entry (`bytes.count`).
    public let starts: [Int]

    public var lineCount: Int { starts.count - 1 }

    /// 2026-11-26 00:00:00 UTC.
    public static let defaultStart = Int64(CivilTime.daysFromCivil(year: 2026, month: 11, day: 26)) * 86_400

    public init(lines: Int, seed: UInt64 = 1, linesPerSecond: Int = 200, start: Int64 = LogCorpus.defaultStart) {
        var model = TrafficModel(seed: seed)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(lines * 240)
        var starts: [Int] = []
        starts.reserveCapacity(lines + 1)
        let rate = max(1, linesPerSecond)
        for i in 0..<lines {
            starts.append(bytes.count)
            var line = model.nextLine(time: start + Int64(i / rate), scenario: nil)
            line.withUTF8 { bytes.append(contentsOf: $0) }
            bytes.append(0x0A)
        }
        starts.append(bytes.count)
        self.bytes = bytes
        self.starts = starts
    }

    /// Calls `body` with every line, without its `\n`, in order.
    @inlinable
    public func forEachLine(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        bytes.withUnsafeBufferPointer { all in
            starts.withUnsafeBufferPointer { s in
                guard let base = all.baseAddress else { return }
                for i in 0..<(s.count - 1) {
                    body(UnsafeBufferPointer(start: base + s[i], count: s[i + 1] - s[i] - 1))
                }
            }
        }
    }
}
