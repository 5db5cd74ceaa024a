/// A fast 64-bit hash that is the same in every process (unlike `Hasher`), so sketches built by
/// different processes can be merged.
///
/// Word at a time: the bytes are read as little-endian 64-bit words (the last one zero-padded), each
/// folded into the state with a 64×64→128-bit multiply (high half xor low half), then the length
/// and a SplitMix64 finaliser. About 4 instructions per 8 bytes, so the parser can afford one hash per
/// field while it scans the line; `scan` also says whether the bytes are printable ASCII in the same
/// pass (what `Sanitizer` passes through unchanged).
public enum StableHash {
    @usableFromInline static let seed: UInt64 = 0x243F_6A88_85A3_08D3
    @usableFromInline static let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// Hash of the UTF-8 bytes of `text` (equal to `hash(bytes:)` of those bytes).
    @inlinable
    public static func hash(_ text: String) -> UInt64 {
        if let h = text.utf8.withContiguousStorageIfAvailable({ hash(bytes: UnsafeRawBufferPointer($0)) }) { return h }
        return Array(text.utf8).withUnsafeBytes { hash(bytes: $0) }
    }

    /// Hash of `bytes`.
    @inlinable
    public static func hash(bytes: UnsafeRawBufferPointer) -> UInt64 {
        scan(bytes, 0, bytes.count).hash
    }

    /// Hash of `buffer[a..<b]`, and whether every byte is printable ASCII (0x20...0x7E). Reads only
    /// inside `buffer` (a short last word is read from below `b`, or above `a`, when the buffer
    /// allows, so that no byte-by-byte loop is needed).
    @inlinable @inline(__always)
    public static func scan(_ buffer: UnsafeRawBufferPointer, _ a: Int, _ b: Int) -> (hash: UInt64, printable: Bool) {
        let base = buffer.baseAddress
        var h = seed
        var bad: UInt64 = 0
        var p = a
        // Offsets stay far below Int.max (a buffer's size): wrapping arithmetic skips overflow checks.
        let lastWord = b &- 8
        while p <= lastWord {
            let w = UInt64(littleEndian: base.unsafelyUnwrapped.loadUnaligned(fromByteOffset: p, as: UInt64.self))
            bad |= nonPrintable(w)
            h = fold(h ^ w)
            p &+= 8
        }
        let rest = b &- p
        if rest > 0 {
            let raw = base.unsafelyUnwrapped
            let kept = UInt64.max >> UInt64(truncatingIfNeeded: (8 &- rest) &* 8)  // the low `rest` bytes
            var w: UInt64
            if p &+ 8 <= buffer.count {
                w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: p, as: UInt64.self)) & kept
            } else if b >= 8 {
                w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: b &- 8, as: UInt64.self))
                w >>= UInt64(truncatingIfNeeded: (8 &- rest) &* 8)
            } else {
                w = 0
                for i in 0..<rest { w |= UInt64(raw.load(fromByteOffset: p &+ i, as: UInt8.self)) << UInt64(truncatingIfNeeded: i &* 8) }
            }
            // Padding bytes count as printable (spaces) for the check, as zeros for the hash.
            bad |= nonPrintable(w | (0x2020_2020_2020_2020 & ~kept))
            h = fold(h ^ w)
        }
        return (mix(h ^ UInt64(truncatingIfNeeded: b - a)), bad == 0)
    }

    /// High bit set in some byte iff a byte of `w` is below 0x20 or above 0x7E.
    @inlinable @inline(__always)
    static func nonPrintable(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let below = (w &- ones &* 0x20) & ~w & high     // some byte < 0x20
        let above = ((w &+ ones) | w) & high            // some byte >= 0x7F
        return below | above
    }

    @inlinable @inline(__always)
    static func fold(_ x: UInt64) -> UInt64 {
        let r = x.multipliedFullWidth(by: multiplier)
        return r.high ^ r.low
    }

    @inlinable
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
