/// One cell of the screen: a drawable character (one grapheme) and what it is for. A wide character
/// takes two cells; the second holds an empty `text`.
public struct Cell: Sendable, Equatable {
    public var text: String
    public var style: Style

    public init(_ text: String, _ style: Style = .normal) {
        self.text = text
        self.style = style
    }

    public static let blank = Cell(" ")
    public var isContinuation: Bool { text.isEmpty }
}

/// The whole screen as a value: panes draw into it, tests read it, the curses backend copies it to the
/// terminal. Every string goes through `DisplayText`, so a buffer never holds a control character.
public struct ScreenBuffer: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Only ASCII is written (non-UTF-8 locale).
    public let asciiOnly: Bool
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int, asciiOnly: Bool = false) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.asciiOnly = asciiOnly
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        guard x >= 0, y >= 0, x < width, y < height else { return .blank }
        return cells[y * width + x]
    }

    /// Writes `text` from column `x` of row `y`, at most `limit` columns (and never past the right edge
    /// or `clip`). Characters that do not fit are dropped; a wide character never straddles the limit.
    /// Returns the columns written.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style = .normal, limit: Int? = nil, clip: Rect? = nil) -> Int {
        guard y >= 0, y < height else { return 0 }
        var maxX = min(width, limit.map { x + max(0, $0) } ?? width)
        var minX = 0
        if let clip {
            guard y >= clip.y, y < clip.maxY else { return 0 }
            maxX = min(maxX, clip.maxX)
            minX = max(0, clip.x)
        }
        var cx = x
        if DisplayText.isPrintableASCII(text) {
            // Fast path: one byte, one cell.
            for b in text.utf8 {
                if cx + 1 > maxX { break }
                if cx >= minX { set(cx, y, ScreenBuffer.asciiCells[Int(b) - 0x20], 1, style) }
                cx += 1
            }
            return max(0, cx - x)
        }
        for c in text {
            let (t, w) = DisplayText.cell(c, asciiOnly: asciiOnly)
            if cx + w > maxX { break }
            if cx >= minX { set(cx, y, t, w, style) }
            cx += w
        }
        return max(0, cx - x)
    }

    /// Fills `rect` with `text` (one column wide character) in `style`.
    public mutating func fill(_ rect: Rect, with text: String = " ", style: Style = .normal) {
        let (t, w) = DisplayText.cell(text.first ?? " ", asciiOnly: asciiOnly)
        guard w == 1 else { return }
        for y in max(0, rect.y)..<min(height, rect.maxY) {
            for x in max(0, rect.x)..<min(width, rect.maxX) { set(x, y, t, 1, style) }
        }
    }

    /// Changes the style of the cells of `rect`, keeping their text.
    public mutating func restyle(_ rect: Rect, _ style: Style) {
        for y in max(0, rect.y)..<min(height, rect.maxY) {
            for x in max(0, rect.x)..<min(width, rect.maxX) { cells[y * width + x].style = style }
        }
    }

    /// One-character strings of printable ASCII, made once.
    static let asciiCells: [String] = (0x20..<0x7F).map { String(UnicodeScalar(UInt8($0))) }

    private mutating func set(_ x: Int, _ y: Int, _ text: String, _ w: Int, _ style: Style) {
        let i = y * width + x
        // Overwriting half of a wide character blanks the other half.
        if cells[i].isContinuation, x > 0 { cells[i - 1] = Cell(" ", cells[i - 1].style) }
        if w == 1, x + 1 < width, cells[i + 1].isContinuation { cells[i + 1] = Cell(" ", cells[i + 1].style) }
        cells[i] = Cell(text, style)
        if w == 2 {
            if x + 2 < width, cells[i + 2].isContinuation { cells[i + 2] = Cell(" ", cells[i + 2].style) }
            cells[i + 1] = Cell("", style)
        }
    }

    /// The text of row `y` (wide characters once).
    public func line(_ y: Int) -> String {
        guard y >= 0, y < height else { return "" }
        var s = ""
        for x in 0..<width { s += cells[y * width + x].text }
        return s
    }

    public var lines: [String] { (0..<height).map(line) }

    /// The whole screen, rows joined with newlines.
    public var text: String { lines.joined(separator: "\n") }

    public func contains(_ s: String) -> Bool { lines.contains { $0.contains(s) } }

    /// Row index of the first row containing `s`.
    public func row(containing s: String) -> Int? { lines.firstIndex { $0.contains(s) } }

    /// The text of `rect`, rows joined with newlines.
    public func text(in rect: Rect) -> String {
        var rows: [String] = []
        for y in max(0, rect.y)..<min(height, rect.maxY) {
            var s = ""
            for x in max(0, rect.x)..<min(width, rect.maxX) { s += cells[y * width + x].text }
            rows.append(s)
        }
        return rows.joined(separator: "\n")
    }

    /// Draws a box around `rect` with `title` in its top border and `info` at the right of it.
    public mutating func box(_ rect: Rect, title: String, info: String? = nil, glyphs: Glyphs,
                             style: Style = .border, titleStyle: Style = .title) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let top = rect.y, bottom = rect.maxY - 1, left = rect.x, right = rect.maxX - 1
        let h = DisplayText.cell(Character(glyphs.horizontal), asciiOnly: asciiOnly)
        let v = DisplayText.cell(Character(glyphs.vertical), asciiOnly: asciiOnly)
        if h.width == 1, top >= 0, bottom < height {
            for x in max(0, left + 1)..<min(width, right) {
                set(x, top, h.text, 1, style)
                set(x, bottom, h.text, 1, style)
            }
        }
        if v.width == 1 {
            for y in max(0, top + 1)..<min(height, bottom) {
                if left >= 0, left < width { set(left, y, v.text, 1, style) }
                if right >= 0, right < width { set(right, y, v.text, 1, style) }
            }
        }
        put(glyphs.topLeft, x: left, y: top, style: style)
        put(glyphs.topRight, x: right, y: top, style: style)
        put(glyphs.bottomLeft, x: left, y: bottom, style: style)
        put(glyphs.bottomRight, x: right, y: bottom, style: style)
        // " title " from the left, " info " from the right; the title wins when both do not fit.
        let room = rect.width - 4
        guard room > 2 else { return }
        let t = " " + DisplayText.fit(title, room - 2, ellipsis: glyphs.ellipsis, asciiOnly: asciiOnly) + " "
        let titleWidth = DisplayText.width(t, asciiOnly: asciiOnly)
        if let info, !info.isEmpty, room - titleWidth - 2 > 4 {
            let i = " " + DisplayText.fit(info, room - titleWidth - 4, ellipsis: glyphs.ellipsis, asciiOnly: asciiOnly) + " "
            put(i, x: right - 1 - DisplayText.width(i, asciiOnly: asciiOnly), y: top, style: .dim)
        }
        put(t, x: left + 1, y: top, style: titleStyle)
    }
}
