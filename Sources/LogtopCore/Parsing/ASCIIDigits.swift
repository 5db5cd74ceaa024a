/// Numbers read straight from ASCII bytes, for the readers outside the access-log parser (filter
/// terms, JSON escapes, record headers): one definition of what a digit is.
public enum ASCIIDigits {
    /// The value of a hexadecimal digit (`0-9`, `a-f`, `A-F`), or nil.
    @inlinable
    public static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// An unsigned decimal filling `bytes` (at least one digit), saturating at `Int64.max`; nil when a
    /// byte is not a digit. The access-log parser's own reader (`AccessLogParser.unsigned`).
    public static func decimal(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        let s = bytes.assumingMemoryBound(to: UInt8.self)
        return AccessLogParser.unsigned(s, 0, s.count)
    }
}
