/// The `String`s a parser made last for one field, handed out again when the same bytes come back.
///
/// Log fields repeat (a few user agents, referrers and protocols make most lines): a hit costs a
/// comparison of the bytes, where making the `String` costs a UTF-8 check, an allocation for anything
/// longer than 15 bytes, and the release later. Direct-mapped by a fingerprint (length and three
/// words of the bytes); only text that `Sanitizer` passes unchanged (printable ASCII, not too long) is
/// kept, so a hit is also proof that the bytes need no sanitising. Bounded: `size` strings of at most
/// `Sanitizer.maxFieldBytes` bytes.
struct RecentStrings: Sendable {
    private var fingerprints: [UInt64]
    private var strings: [String]

    /// `size` must be a power of two.
    init(size: Int) {
        precondition(size > 0 && size & (size - 1) == 0)
        fingerprints = [UInt64](repeating: 0, count: size)
        strings = [String](repeating: "", count: size)
    }

    /// The sanitised text of `s[a..<b]`, as `Sanitizer.string` makes it.
    @inline(__always)
    mutating func string(_ s: UnsafeBufferPointer<UInt8>, _ a: Int, _ b: Int) -> String {
        let bytes = UnsafeBufferPointer(rebasing: s[a..<b])
        let fp = Self.fingerprint(UnsafeRawBufferPointer(s), a, b)
        let slot = Int(truncatingIfNeeded: fp) & (strings.count - 1)
        if fingerprints[slot] == fp, Self.equal(strings[slot], bytes) { return strings[slot] }
        if bytes.count <= Sanitizer.maxFieldBytes && Sanitizer.isPrintableASCII(bytes) {
            let text = String(decoding: bytes, as: UTF8.self)
            fingerprints[slot] = fp
            strings[slot] = text
            return text
        }
        return Sanitizer.string(bytes)
    }

    /// Length and the words at the start, the middle and the end of `buffer[a..<b]` (never 0).
    @inline(__always)
    static func fingerprint(_ buffer: UnsafeRawBufferPointer, _ a: Int, _ b: Int) -> UInt64 {
        let n = b &- a
        var words = UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15
        if n >= 8 {
            let base = buffer.baseAddress.unsafelyUnwrapped
            words ^= base.loadUnaligned(fromByteOffset: a, as: UInt64.self)
            words = (words ^ base.loadUnaligned(fromByteOffset: a &+ (n >> 1) &- 4, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            words ^= base.loadUnaligned(fromByteOffset: b &- 8, as: UInt64.self)
        } else {
            for i in a..<b { words = (words ^ UInt64(buffer[i])) &* 0x0000_0100_0000_01B3 }
        }
        return StableHash.mix(words) | 1
    }

    @inline(__always)
    static func equal(_ text: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let utf8 = text.utf8
        guard utf8.count == bytes.count else { return false }
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return true }
        return utf8.withContiguousStorageIfAvailable {
            TopK.sameBytes(UnsafeRawPointer($0.baseAddress.unsafelyUnwrapped), UnsafeRawBufferPointer(start: base, count: bytes.count))
        } ?? utf8.elementsEqual(bytes)
    }
}
