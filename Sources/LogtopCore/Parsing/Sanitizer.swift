/// Makes text from logs safe to print on a terminal or into a report.
///
/// Printable ASCII and valid UTF-8 pass unchanged. C0 controls, DEL, C1 controls (U+0080–U+009F),
/// bidirectional overrides and invalid UTF-8 bytes become visible escapes (`\x1b`, `\u{9b}`), so no
/// escape sequence, OSC string or stray byte ever reaches the terminal.
public enum Sanitizer {
    /// Longest text kept from one field; longer values are cut and end with `…`.
    public static let maxFieldBytes = 512

    /// Sanitise a UTF-8 byte range.
    @inlinable
    public static func string(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int = maxFieldBytes) -> String {
        if bytes.count <= limit && isPrintableASCII(bytes) {
            return String(decoding: bytes, as: UTF8.self)
        }
        return slowPath(bytes, limit: limit)
    }

    /// Whether every byte is printable ASCII (0x20...0x7E): such text passes unchanged. Eight bytes
    /// at a time.
    @inlinable
    public static func isPrintableASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = bytes.count
        guard n > 0 else { return true }
        let base = UnsafeRawPointer(bytes.baseAddress.unsafelyUnwrapped)
        var bad: UInt64 = 0
        var i = 0
        while i + 8 <= n {
            bad |= StableHash.nonPrintable(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            i += 8
        }
        if i < n {
            if n >= 8 {
                bad |= StableHash.nonPrintable(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)))
            } else {
                while i < n {
                    let b = bytes[i]
                    if b < 0x20 || b >= 0x7F { return false }
                    i += 1
                }
            }
        }
        return bad == 0
    }

    /// Sanitise a Swift string (already valid Unicode).
    public static func string(_ text: String, limit: Int = maxFieldBytes) -> String {
        var copy = text
        return copy.withUTF8 { string($0, limit: limit) }
    }

    /// Sanitise a byte array.
    public static func string(_ bytes: [UInt8], limit: Int = maxFieldBytes) -> String {
        bytes.withUnsafeBufferPointer { string($0, limit: limit) }
    }

    @usableFromInline
    static func slowPath(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int) -> String {
        var out = [UInt8]()
        out.reserveCapacity(min(bytes.count, limit) + 8)
        var i = 0
        let n = bytes.count
        func hex(_ b: UInt8) {
            let digits: [UInt8] = Array("0123456789abcdef".utf8)
            out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "x"))
            out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0xF)])
        }
        while i < n {
            if out.count >= limit {
                out.append(contentsOf: [0xE2, 0x80, 0xA6]) // …
                break
            }
            let b = bytes[i]
            if b < 0x20 || b == 0x7F { hex(b); i += 1; continue }
            if b < 0x80 { out.append(b); i += 1; continue }
            // Multi-byte UTF-8: validate the sequence.
            let len: Int
            var scalar: UInt32
            switch b {
            case 0xC2...0xDF: len = 2; scalar = UInt32(b & 0x1F)
            case 0xE0...0xEF: len = 3; scalar = UInt32(b & 0x0F)
            case 0xF0...0xF4: len = 4; scalar = UInt32(b & 0x07)
            default: hex(b); i += 1; continue
            }
            guard i + len <= n else { hex(b); i += 1; continue }
            var ok = true
            for k in 1..<len {
                let c = bytes[i + k]
                if c & 0xC0 != 0x80 { ok = false; break }
                scalar = (scalar << 6) | UInt32(c & 0x3F)
            }
            // Reject overlong forms, surrogates and out-of-range scalars.
            if ok {
                switch len {
                case 3: ok = scalar >= 0x800 && !(0xD800...0xDFFF).contains(scalar)
                case 4: ok = scalar >= 0x10000 && scalar <= 0x10FFFF
                default: ok = scalar >= 0x80
                }
            }
            guard ok else { hex(b); i += 1; continue }
            if (0x80...0x9F).contains(scalar) || (0x202A...0x202E).contains(scalar)
                || (0x2066...0x2069).contains(scalar) || scalar == 0x200E || scalar == 0x200F {
                out.append(contentsOf: Array("\\u{\(String(scalar, radix: 16))}".utf8))
            } else {
                for k in 0..<len { out.append(bytes[i + k]) }
            }
            i += len
        }
        return String(decoding: out, as: UTF8.self)
    }
}
