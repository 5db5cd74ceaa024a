/// Reads the binary encoding of `AggregateCodec` from bytes it does not own.
///
/// Every read checks what is left first, so truncated or hostile input throws
/// `AggregateDecodingError` and never traps; `count(max:bytesEach:_:)` bounds an announced number of
/// items by what the remaining bytes could hold, so no input makes a decoder allocate more than its
/// own size allows.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var position = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var remaining: Int { bytes.count - position }

    mutating func byte() throws(AggregateDecodingError) -> UInt8 {
        guard position < bytes.count else { throw .truncated }
        defer { position += 1 }
        return bytes[position]
    }

    /// An unsigned LEB128 varint (at most 10 bytes, at most 64 bits).
    @inline(__always)
    mutating func uvarint() throws(AggregateDecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.count else { throw .truncated }
            let b = bytes[position]
            position += 1
            if shift == 63 && b > 1 { throw .invalid("varint beyond 64 bits") }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }

    /// A zigzag-encoded signed varint.
    mutating func svarint() throws(AggregateDecodingError) -> Int64 {
        let z = try uvarint()
        return Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1)))
    }

    /// An unsigned varint in `0...max`; `what` names it in the error.
    @inline(__always)
    mutating func int(max: Int, _ what: StaticString) throws(AggregateDecodingError) -> Int {
        let v = try uvarint()
        guard v <= UInt64(max) else { throw .invalid("\(what) out of range") }
        return Int(v)
    }

    /// A number of items that follow, at most `max`, each taking at least `bytesEach` bytes.
    mutating func count(max: Int, bytesEach: Int, _ what: StaticString) throws(AggregateDecodingError) -> Int {
        let n = try uvarint()
        guard n <= UInt64(max) else { throw .invalid("\(what): count out of range") }
        guard Int(n) * bytesEach <= remaining else { throw .truncated }
        return Int(n)
    }

    mutating func uint64LE() throws(AggregateDecodingError) -> UInt64 {
        guard remaining >= 8 else { throw .truncated }
        defer { position += 8 }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self))
    }

    /// The next `n` bytes, in place.
    mutating func take(_ n: Int) throws(AggregateDecodingError) -> UnsafeRawBufferPointer {
        guard n >= 0, n <= remaining else { throw .truncated }
        defer { position += n }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + n)])
    }

    /// A length-prefixed UTF-8 string of at most `maxBytes` bytes.
    mutating func string(maxBytes: Int, _ what: StaticString) throws(AggregateDecodingError) -> String {
        let n = try int(max: maxBytes, what)
        let raw = try take(n)
        let text = String(decoding: raw, as: UTF8.self)
        guard text.utf8.count == n, text.utf8.elementsEqual(raw) else { throw .invalid("\(what) is not UTF-8") }
        return text
    }

    /// Throws unless every byte has been read.
    func expectEnd() throws(AggregateDecodingError) {
        guard remaining == 0 else { throw .trailingBytes(remaining) }
    }
}
