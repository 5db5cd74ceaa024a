import LogtopCore

/// Builds combined-format lines in which line `n` has its own client address and its own path, in
/// one reusable buffer (no allocation per line): the worst case for the engine's memory.
///
///     10.0.1.44 - - [26/Nov/2026:00:00:01 +0000] "GET /item/300 HTTP/1.1" 200 512 "-" "bench/1.0" 0.012
///
/// Client `n` is the IPv4 address `10+(n>>24).(n>>16).(n>>8).n`, distinct for every `n` below 2^32 - 10·2^24.
public final class DistinctLineWriter {
    private let buffer: UnsafeMutablePointer<UInt8>
    private let capacity = 256
    private var stampSecond = Int64.min
    private var stamp: [UInt8] = []

    public init() {
        buffer = .allocate(capacity: capacity)
    }

    deinit { buffer.deallocate() }

    /// Calls `body` with line `n` stamped `time` (Unix seconds UTC), without a newline.
    @inlinable
    public func withLine<R>(_ n: Int, time: Int64, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let count = write(n, time: time)
        return try body(UnsafeBufferPointer(start: bufferAddress, count: count))
    }

    @usableFromInline
    var bufferAddress: UnsafePointer<UInt8> { UnsafePointer(buffer) }

    /// Writes line `n` into the buffer; returns its length.
    @usableFromInline
    func write(_ n: Int, time: Int64) -> Int {
        if time != stampSecond {
            stampSecond = time
            stamp = Array(CivilTime.commonLogTime(time).utf8)
        }
        var p = 0
        @inline(__always) func put(_ b: UInt8) { buffer[p] = b; p += 1 }
        func putBytes(_ s: StaticString) {
            s.withUTF8Buffer { for b in $0 { put(b) } }
        }
        func putDecimal(_ v: Int) {
            var v = v
            var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                      UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var k = 0
            withUnsafeMutableBytes(of: &tmp) { t in
                repeat {
                    t[k] = UInt8(truncatingIfNeeded: 0x30 + v % 10)
                    v /= 10
                    k += 1
                } while v > 0
                while k > 0 { k -= 1; put(t[k]) }
            }
        }
        let u = UInt64(truncatingIfNeeded: n)
        putDecimal(10 + Int(u >> 24))
        put(0x2E); putDecimal(Int((u >> 16) & 0xFF))
        put(0x2E); putDecimal(Int((u >> 8) & 0xFF))
        put(0x2E); putDecimal(Int(u & 0xFF))
        putBytes(" - - [")
        for b in stamp { put(b) }
        putBytes("] \"GET /item/")
        putDecimal(n)
        putBytes(" HTTP/1.1\" 200 512 \"-\" \"bench/1.0\" 0.012")
        return p
    }
}
