/// A small reader for one flat JSON object per line, as nginx writes with `escape=json`.
///
/// Returns each top-level key with its value as raw bytes: strings are unescaped (`\"`, `\\`, `\uXXXX`
/// with surrogate pairs, and nginx's default `\xHH`), numbers and literals are kept as written, nested
/// objects and arrays are skipped. Any syntax error gives `nil`.
struct JSONLineReader {
    private let s: UnsafeBufferPointer<UInt8>
    private var p = 0

    init(_ s: UnsafeBufferPointer<UInt8>) { self.s = s }

    mutating func readFlatObject() -> [(String, [UInt8])]? {
        var out: [(String, [UInt8])] = []
        skipSpace()
        guard take(0x7B) else { return nil }
        skipSpace()
        if take(0x7D) { return finish(out) }
        while true {
            skipSpace()
            guard peek == Ascii.quote, let keyBytes = readString() else { return nil }
            skipSpace()
            guard take(Ascii.colon) else { return nil }
            skipSpace()
            guard let c = peek else { return nil }
            let key = String(decoding: keyBytes, as: UTF8.self)
            switch c {
            case Ascii.quote:
                guard let v = readString() else { return nil }
                out.append((key, v))
            case 0x7B, 0x5B:
                guard skipNested() else { return nil }
            default:
                let a = p
                while p < s.count, let c = peek, c != 0x2C, c != 0x7D, c != Ascii.space, c != 0x09 { p += 1 }
                guard p > a else { return nil }
                let raw = Array(s[a..<p])
                if raw != Array("null".utf8) { out.append((key, raw)) }
            }
            skipSpace()
            if take(0x2C) { continue }
            if take(0x7D) { return finish(out) }
            return nil
        }
    }

    private mutating func finish(_ out: [(String, [UInt8])]) -> [(String, [UInt8])]? {
        skipSpace()
        return p == s.count ? out : nil
    }

    private var peek: UInt8? { p < s.count ? s[p] : nil }

    private mutating func take(_ c: UInt8) -> Bool {
        if p < s.count, s[p] == c { p += 1; return true }
        return false
    }

    private mutating func skipSpace() {
        while p < s.count, s[p] == Ascii.space || s[p] == 0x09 || s[p] == 0x0A || s[p] == 0x0D { p += 1 }
    }

    private mutating func readString() -> [UInt8]? {
        guard take(Ascii.quote) else { return nil }
        var out: [UInt8] = []
        while p < s.count {
            let c = s[p]
            p += 1
            if c == Ascii.quote { return out }
            if c != Ascii.backslash { out.append(c); continue }
            guard p < s.count else { return nil }
            let e = s[p]
            p += 1
            switch e {
            case Ascii.quote, Ascii.backslash, Ascii.slash: out.append(e)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x78: // \xHH (nginx escape=default)
                guard let h = hex(2) else { return nil }
                out.append(UInt8(h))
            case 0x75: // \uXXXX
                guard var u = hex(4) else { return nil }
                if (0xD800...0xDBFF).contains(u), p + 6 <= s.count, s[p] == Ascii.backslash, s[p + 1] == 0x75 {
                    p += 2
                    guard let lo = hex(4), (0xDC00...0xDFFF).contains(lo) else { return nil }
                    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)
                }
                appendUTF8(u, to: &out)
            default: return nil
            }
        }
        return nil
    }

    private mutating func hex(_ count: Int) -> UInt32? {
        guard p + count <= s.count else { return nil }
        var v: UInt32 = 0
        for _ in 0..<count {
            guard let d = ASCIIDigits.hex(s[p]) else { return nil }
            v = v << 4 | UInt32(d)
            p += 1
        }
        return v
    }

    private func appendUTF8(_ u: UInt32, to out: inout [UInt8]) {
        // Lone surrogates cannot be encoded; keep them visible as U+FFFD.
        let scalar = Unicode.Scalar(u) ?? "\u{FFFD}"
        out.append(contentsOf: Array(String(Character(scalar)).utf8))
    }

    private mutating func skipNested() -> Bool {
        var depth = 0
        while p < s.count {
            let c = s[p]
            switch c {
            case Ascii.quote:
                guard readString() != nil else { return false }
                continue
            case 0x7B, 0x5B: depth += 1
            case 0x7D, 0x5D:
                depth -= 1
                if depth == 0 { p += 1; return true }
            default: break
            }
            p += 1
        }
        return false
    }
}
