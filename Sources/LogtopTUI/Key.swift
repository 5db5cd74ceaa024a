/// A key press, as the key table sees it.
public enum Key: Sendable, Hashable, CustomStringConvertible {
    case char(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case tab, backTab, enter, escape, backspace
    case function(Int)
    /// Ctrl + a letter, lowercase (`.control("l")` is Ctrl-L).
    case control(Character)
    /// The terminal changed size.
    case resize
    /// A key the dashboard has no name for (its curses code).
    case other(Int)

    public var description: String {
        switch self {
        case .char(let c): return String(c)
        case .up: return "Up"
        case .down: return "Down"
        case .left: return "Left"
        case .right: return "Right"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .tab: return "Tab"
        case .backTab: return "Shift-Tab"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .backspace: return "Backspace"
        case .function(let n): return "F\(n)"
        case .control(let c): return "Ctrl-\(c.uppercased())"
        case .resize: return "resize"
        case .other(let code): return "key \(code)"
        }
    }
}
