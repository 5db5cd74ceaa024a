/// Cuts a byte stream into lines, holding at most `maxLine` bytes of an unfinished line.
///
/// A line longer than `maxLine` is handed on cut at `maxLine` bytes followed by the marker byte
/// sequence `…[cut]` — the parser then counts it as malformed — and the rest of it is skipped, so
/// memory stays bounded whatever the input.
public struct LineSplitter: Sendable {
    public let maxLine: Int
    private var pending: [UInt8] = []
    private var skipping = false
    /// Lines that were longer than `maxLine`.
    public private(set) var cutLines = 0

    /// The default stays well below Kafka's default `message.max.bytes` (1,000,000), so a cut line still
    /// fits in one record and is counted as malformed instead of being refused by the producer.
    public static let defaultMaxLine = 512 << 10

    /// Bytes appended to a cut line.
    public static let cutMarker = Array("…[cut]".utf8)

    /// True when `line` was cut by a splitter (ends with `cutMarker`).
    public static func isCut(_ line: UnsafeRawBufferPointer) -> Bool {
        guard line.count >= cutMarker.count else { return false }
        return line.suffix(cutMarker.count).elementsEqual(cutMarker)
    }

    public init(maxLine: Int = LineSplitter.defaultMaxLine) {
        self.maxLine = max(16, maxLine)
    }

    /// Feeds a chunk; calls `line` for every complete line (without its `\n`).
    public mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>, _ line: (UnsafeBufferPointer<UInt8>) -> Void) {
        var start = 0
        let n = chunk.count
        while start < n {
            guard let nl = Self.index(of: 0x0A, in: chunk, from: start) else {
                append(UnsafeBufferPointer(rebasing: chunk[start..<n]), line)
                return
            }
            if skipping {
                skipping = false
            } else if pending.isEmpty {
                let len = nl - start
                if len > maxLine {
                    emitCut(UnsafeBufferPointer(rebasing: chunk[start..<(start + maxLine)]), line)
                } else {
                    line(UnsafeBufferPointer(rebasing: chunk[start..<nl]))
                }
            } else {
                append(UnsafeBufferPointer(rebasing: chunk[start..<nl]), line)
                if skipping {
                    skipping = false
                } else {
                    pending.withUnsafeBufferPointer { line($0) }
                }
                pending.removeAll(keepingCapacity: pending.count <= 64 << 10)
            }
            start = nl + 1
        }
    }

    /// Hands on the unfinished last line, if any (end of input).
    public mutating func finish(_ line: (UnsafeBufferPointer<UInt8>) -> Void) {
        if !pending.isEmpty, !skipping { pending.withUnsafeBufferPointer { line($0) } }
        pending.removeAll()
        skipping = false
    }

    /// Bytes held of an unfinished line.
    public var pendingBytes: Int { pending.count }

    private mutating func append(_ part: UnsafeBufferPointer<UInt8>, _ line: (UnsafeBufferPointer<UInt8>) -> Void) {
        guard !skipping else { return }
        if pending.count + part.count > maxLine {
            let room = maxLine - pending.count
            pending.append(contentsOf: part.prefix(room))
            let full = pending
            pending.removeAll()
            full.withUnsafeBufferPointer { emitCut($0, line) }
            skipping = true
            return
        }
        pending.append(contentsOf: part)
    }

    private mutating func emitCut(_ head: UnsafeBufferPointer<UInt8>, _ line: (UnsafeBufferPointer<UInt8>) -> Void) {
        cutLines += 1
        var cut = Array(head)
        cut.append(contentsOf: Self.cutMarker)
        cut.withUnsafeBufferPointer { line($0) }
    }

    @inline(__always)
    static func index(of byte: UInt8, in buf: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard from < buf.count, let base = buf.baseAddress else { return nil }
        guard let hit = memchr(base + from, Int32(byte), buf.count - from) else { return nil }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
