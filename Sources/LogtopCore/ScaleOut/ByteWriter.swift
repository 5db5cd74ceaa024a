/// Writes the binary encoding of `AggregateCodec`.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    mutating func byte(_ b: UInt8) { bytes.append(b) }

    @inline(__always)
    mutating func uvarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// A count or other non-negative `Int` (a negative one is written as its bit pattern, which no
    /// decoder accepts as a count).
    @inline(__always)
    mutating func uvarint(_ value: Int) { uvarint(UInt64(bitPattern: Int64(value))) }

    mutating func svarint(_ value: Int64) { uvarint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    mutating func uint64LE(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ raw: UnsafeRawBufferPointer) { bytes.append(contentsOf: raw) }

    /// The non-zero entries of `counts`: how many, then each as the gap to the previous one's index
    /// (minus one; the first: its index) and its value.
    mutating func sparse<T: BinaryInteger>(_ counts: [T]) {
        var nonZero = 0
        for c in counts where c != 0 { nonZero += 1 }
        uvarint(nonZero)
        var previous = -1
        for i in counts.indices where counts[i] != 0 {
            uvarint(i - previous - 1)
            uvarint(UInt64(counts[i]))
            previous = i
        }
    }

    /// Length-prefixed UTF-8.
    mutating func string(_ text: String) {
        uvarint(text.utf8.count)
        bytes.append(contentsOf: text.utf8)
    }
}
