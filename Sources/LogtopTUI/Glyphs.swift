/// The characters the panes draw with: Unicode blocks and box lines when the locale is UTF-8, plain
/// ASCII otherwise (`LANG=C`).
public struct Glyphs: Sendable, Equatable {
    public var unicode: Bool
    public var horizontal: String
    public var vertical: String
    public var topLeft: String
    public var topRight: String
    public var bottomLeft: String
    public var bottomRight: String
    /// Nine heights, 0/8 ... 8/8 of a cell, for graphs and sparklines.
    public var levels: [String]
    /// A full and an empty cell of a horizontal bar.
    public var barFull: String
    public var barEmpty: String
    /// Left partial blocks 1/8 ... 7/8 for horizontal bars (empty in ASCII: rounded to whole cells).
    public var barPartials: [String]
    public var dot: String
    public var ellipsis: String
    public var separator: String
    public var atLeast: String
    public var atMost: String
    public var previous: String
    public var next: String
    public var up: String
    public var down: String
    public var sortMark: String
    public var firing: String
    public var resolved: String
    public var play: String
    public var pause: String

    public static let unicode = Glyphs(
        unicode: true, horizontal: "─", vertical: "│", topLeft: "╭", topRight: "╮", bottomLeft: "╰", bottomRight: "╯",
        levels: [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"], barFull: "█", barEmpty: "·",
        barPartials: ["▏", "▎", "▍", "▌", "▋", "▊", "▉"],
        dot: "●", ellipsis: "…", separator: "│", atLeast: "≥", atMost: "≤", previous: "◂", next: "▸",
        up: "↑", down: "↓", sortMark: "▼", firing: "▲", resolved: "✓", play: "▶", pause: "‖")

    public static let ascii = Glyphs(
        unicode: false, horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
        levels: [" ", ".", ".", ":", ":", "|", "|", "#", "#"], barFull: "#", barEmpty: ".",
        barPartials: [],
        dot: "*", ellipsis: "~", separator: "|", atLeast: ">=", atMost: "<=", previous: "<", next: ">",
        up: "Up", down: "Dn", sortMark: "v", firing: "!", resolved: "+", play: ">", pause: "||")

    /// A horizontal bar of `width` cells filled to `fraction` (0...1), partial blocks when Unicode.
    public func bar(_ fraction: Double, width: Int) -> (filled: String, empty: String) {
        guard width > 0 else { return ("", "") }
        let f = fraction.isFinite ? min(1, max(0, fraction)) : 0
        if barPartials.isEmpty {
            var n = Int((f * Double(width)).rounded())
            if n == 0 && f > 0 { n = 1 }
            return (String(repeating: barFull, count: n), String(repeating: barEmpty, count: width - n))
        }
        let eighths = Int((f * Double(width * 8)).rounded())
        var whole = eighths / 8
        var rest = eighths % 8
        if eighths == 0 && f > 0 { rest = 1 }
        var s = String(repeating: barFull, count: whole)
        if rest > 0, whole < width { s += barPartials[rest - 1]; whole += 1 }
        return (s, String(repeating: barEmpty, count: width - whole))
    }
}
