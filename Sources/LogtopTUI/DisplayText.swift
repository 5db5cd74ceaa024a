/// Makes any text safe to place on the screen and measures it in terminal columns.
///
/// Text from logs is already sanitised by LogtopCore; this is the second line of defence, applied to
/// every string the dashboard draws: no control character (C0, DEL, C1), bidirectional override,
/// format character, unassigned or private-use code point reaches the terminal. In ASCII mode every
/// non-ASCII character becomes `?`. Widths follow East Asian Width (wide and fullwidth characters,
/// emoji: 2 columns), decided here rather than by the C library so that layout does not depend on the
/// locale.
public enum DisplayText {
    /// What replaces a character that must not be drawn.
    public static let replacement = "?"

    /// The drawable form of `c` and its width in columns (1 or 2).
    public static func cell(_ c: Character, asciiOnly: Bool) -> (text: String, width: Int) {
        let scalars = c.unicodeScalars
        guard let first = scalars.first else { return (replacement, 1) }
        if scalars.count == 1, first.value >= 0x20, first.value < 0x7F { return (String(c), 1) }
        if asciiOnly { return (replacement, 1) }
        for s in scalars where !isDrawable(s) { return (replacement, 1) }
        // A lone combining mark would be drawn on top of the previous cell: replace it.
        switch first.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .spacingMark: return (replacement, 1)
        default: break
        }
        return (String(c), isWide(first) ? 2 : 1)
    }

    /// True when `s` may be written to a terminal.
    public static func isDrawable(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x20 || (0x7F...0x9F).contains(v) { return false }
        if (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F { return false }
        switch s.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator:
            return false
        default:
            return true
        }
    }

    /// Wide (two-column) characters: CJK, Hangul, fullwidth forms, emoji.
    public static func isWide(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x1100 { return false }
        // Binary search over the sorted, disjoint ranges.
        var lo = 0, hi = wideRanges.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let r = wideRanges[mid]
            if v < r.lowerBound { hi = mid - 1 } else if v > r.upperBound { lo = mid + 1 } else { return true }
        }
        return false
    }

    /// True when every byte is printable ASCII (the common case, measured without grapheme breaking).
    @inline(__always)
    static func isPrintableASCII(_ text: String) -> Bool {
        var copy = text
        return copy.withUTF8 { bytes in
            for b in bytes where b < 0x20 || b >= 0x7F { return false }
            return true
        }
    }

    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F0, 0x23F3...0x23F3,
        0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F...0x267F, 0x2693...0x2693, 0x26A1...0x26A1,
        0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE...0x26CE, 0x26D4...0x26D4, 0x26EA...0x26EA,
        0x26F2...0x26F3, 0x26F5...0x26F5, 0x26FA...0x26FA, 0x26FD...0x26FD, 0x2705...0x2705, 0x270A...0x270B,
        0x2728...0x2728, 0x274C...0x274C, 0x274E...0x274E, 0x2753...0x2755, 0x2757...0x2757, 0x2795...0x2797,
        0x27B0...0x27B0, 0x27BF...0x27BF, 0x2B1B...0x2B1C, 0x2B50...0x2B50, 0x2B55...0x2B55,
        0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F,
        0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
        0x1F004...0x1F004, 0x1F0CF...0x1F0CF, 0x1F18E...0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F251,
        0x1F300...0x1F64F, 0x1F680...0x1F6FF, 0x1F7E0...0x1F7EB, 0x1F900...0x1F9FF, 0x1FA70...0x1FAFF,
        0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]

    /// Columns `text` takes once made drawable.
    public static func width(_ text: String, asciiOnly: Bool = false) -> Int {
        if isPrintableASCII(text) { return text.utf8.count }
        var w = 0
        for c in text { w += cell(c, asciiOnly: asciiOnly).width }
        return w
    }

    /// `text` made drawable and cut to at most `width` columns; a cut ends with `ellipsis`.
    public static func fit(_ text: String, _ width: Int, ellipsis: String = "…", asciiOnly: Bool = false) -> String {
        guard width > 0 else { return "" }
        if isPrintableASCII(text), text.utf8.count <= width { return text }
        var out = ""
        var used = 0
        var cells: [(String, Int)] = []
        for c in text {
            let cell = cell(c, asciiOnly: asciiOnly)
            cells.append(cell)
            used += cell.width
            if used > width { break }
        }
        if used <= width { return cells.map(\.0).joined() }
        let e = asciiOnly && ellipsis.unicodeScalars.contains(where: { $0.value > 0x7E }) ? "~" : ellipsis
        let ew = Self.width(e, asciiOnly: asciiOnly)
        guard width > ew else { return String(repeating: ".", count: width) }
        used = 0
        for (t, w) in cells {
            if used + w > width - ew { break }
            out += t
            used += w
        }
        return out + e
    }

    /// `text` padded with spaces (or cut) to exactly `width` columns.
    public static func pad(_ text: String, _ width: Int, right: Bool = false, ellipsis: String = "…", asciiOnly: Bool = false) -> String {
        let t = fit(text, width, ellipsis: ellipsis, asciiOnly: asciiOnly)
        let w = self.width(t, asciiOnly: asciiOnly)
        let fill = String(repeating: " ", count: max(0, width - w))
        return right ? fill + t : t + fill
    }
}
