import CNcurses
import Foundation

/// The real terminal, through ncursesw: the only type that calls curses, from the one thread that
/// runs the dashboard loop.
///
/// - `setlocale(LC_ALL, "")` first; a UTF-8 codeset gives Unicode bars and lines, anything else ASCII.
/// - Colours when the terminal has them, plain attributes (bold, reverse, dim) otherwise.
/// - Draws on stdin/stdout when they are the terminal, else on /dev/tty (stdin may carry log lines).
/// - `cbreak` rather than `raw`: Ctrl-C stays SIGINT, handled by the flag the loop reads.
/// - ncurses' own SIGWINCH handling turns a resize into `KEY_RESIZE`.
/// - Frames are drawn into curses' virtual screen and sent with `doupdate`, which writes only the
///   cells that changed: no flicker.
/// - A crash guard (see shim.h) restores the terminal even on a fatal signal or a stray `exit()`.
public final class CursesTerminal: TerminalBackend {
    public let glyphs: Glyphs
    public let hasColors: Bool
    /// Codeset of the locale, e.g. `UTF-8`.
    public let codeset: String
    private var screen: OpaquePointer?
    private var active = false
    private var attributes: [attr_t] = []
    private var pairs: [Int16] = []
    private var repaint = false

    /// Takes over the terminal. Throws when stdin/stdout is not a terminal or TERM is unusable.
    /// `ascii` forces the ASCII glyphs even in a UTF-8 locale.
    public init(ascii: Bool = false) throws {
        try Self.preflight()
        setlocale(LC_ALL, "")
        codeset = String(cString: logtop_codeset())
        let utf8 = codeset.uppercased().replacingOccurrences(of: "-", with: "") == "UTF8"
        glyphs = utf8 && !ascii ? .unicode : .ascii
        let standard = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
        guard let s = logtop_newterm(standard ? 0 : 1) else {
            let term = ProcessInfo.processInfo.environment["TERM"] ?? "(unset)"
            throw DashboardError("cannot use the terminal (TERM=\(term)); set TERM to your terminal type, e.g. xterm-256color")
        }
        screen = s
        active = true
        guard logtop_can_address_cursor() != 0 else {
            endwin()
            delscreen(s)
            active = false
            let term = ProcessInfo.processInfo.environment["TERM"] ?? "(unset)"
            throw DashboardError("the terminal (TERM=\(term)) cannot move the cursor; use a full-screen terminal or --batch")
        }
        logtop_guard_arm()
        let win = logtop_stdscr()
        cbreak()
        noecho()
        nonl()
        intrflush(win, false)
        keypad(win, true)
        leaveok(win, true)
        curs_set(0)
        set_escdelay(25)
        hasColors = has_colors() && start_color() == OK && logtop_color_pairs() > Style.allCases.count
        setUpStyles()
    }

    deinit { restore() }

    /// Checks, before anything is started, that the dashboard can run here: a terminal on stdin and
    /// stdout, or else a controlling terminal (`tail -F access.log | logtop --source stdin` draws on
    /// /dev/tty while log lines come in on stdin).
    public static func preflight() throws {
        if isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 { return }
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY)
        guard fd >= 0 else {
            throw DashboardError("the dashboard needs a terminal; use --batch to run headless")
        }
        close(fd)
    }

    public var size: (width: Int, height: Int) {
        guard active else { return (0, 0) }
        return (Int(logtop_cols()), Int(logtop_lines()))
    }

    private struct Look {
        var fg: Int32
        var bg: Int32
        var color: attr_t
        var mono: attr_t
    }

    private func setUpStyles() {
        let bold = logtop_a_bold(), dim = logtop_a_dim(), reverse = logtop_a_reverse()
        var defaultFG: Int32 = -1, defaultBG: Int32 = -1
        if hasColors, use_default_colors() != OK { defaultFG = Int32(COLOR_WHITE); defaultBG = Int32(COLOR_BLACK) }
        let many = logtop_colors() >= 256
        let some = logtop_colors() >= 16
        let grey: Int32 = many ? 245 : (some ? 8 : defaultFG)
        func look(_ style: Style) -> Look {
            switch style {
            case .normal: return Look(fg: defaultFG, bg: defaultBG, color: 0, mono: 0)
            case .dim: return Look(fg: grey, bg: defaultBG, color: some ? 0 : dim, mono: dim)
            case .strong: return Look(fg: defaultFG, bg: defaultBG, color: bold, mono: bold)
            case .title: return Look(fg: Int32(COLOR_CYAN), bg: defaultBG, color: bold, mono: bold)
            case .border: return Look(fg: many ? 67 : Int32(COLOR_BLUE), bg: defaultBG, color: 0, mono: 0)
            case .header: return Look(fg: Int32(COLOR_WHITE), bg: Int32(COLOR_BLUE), color: bold, mono: reverse)
            case .headerBadge: return Look(fg: Int32(COLOR_BLACK), bg: Int32(COLOR_CYAN), color: bold, mono: bold)
            case .alertBadge: return Look(fg: Int32(COLOR_BLACK), bg: Int32(COLOR_YELLOW), color: bold, mono: bold)
            case .footerKey: return Look(fg: Int32(COLOR_BLACK), bg: Int32(COLOR_CYAN), color: 0, mono: reverse)
            case .footerLabel: return Look(fg: defaultFG, bg: defaultBG, color: 0, mono: 0)
            case .good: return Look(fg: Int32(COLOR_GREEN), bg: defaultBG, color: 0, mono: 0)
            case .warn: return Look(fg: Int32(COLOR_YELLOW), bg: defaultBG, color: bold, mono: bold)
            case .bad: return Look(fg: Int32(COLOR_RED), bg: defaultBG, color: bold, mono: bold | logtop_a_underline())
            case .info: return Look(fg: Int32(COLOR_CYAN), bg: defaultBG, color: 0, mono: 0)
            case .accent: return Look(fg: Int32(COLOR_MAGENTA), bg: defaultBG, color: bold, mono: bold)
            case .selected: return Look(fg: Int32(COLOR_BLACK), bg: Int32(COLOR_CYAN), color: 0, mono: reverse)
            case .graph: return Look(fg: many ? 37 : Int32(COLOR_CYAN), bg: defaultBG, color: 0, mono: 0)
            }
        }
        attributes = []
        pairs = []
        for (i, style) in Style.allCases.enumerated() {
            let l = look(style)
            if hasColors {
                let pair = Int16(i + 1)
                init_pair(pair, Int16(l.fg), Int16(l.bg))
                pairs.append(pair)
                attributes.append(l.color)
            } else {
                pairs.append(0)
                attributes.append(l.mono)
            }
        }
        // The header's reverse video in monochrome covers the badges too: make them stand out by bold.
    }

    public func present(_ buffer: ScreenBuffer) {
        guard active else { return }
        let win = logtop_stdscr()
        if repaint { logtop_clear_on_next_refresh(); repaint = false }
        werase(win)
        let rows = min(buffer.height, Int(logtop_lines()))
        let cols = min(buffer.width, Int(logtop_cols()))
        var run: [wchar_t] = []
        run.reserveCapacity(cols + 1)
        for y in 0..<rows {
            var x = 0
            while x < cols {
                let style = buffer[x, y].style
                let start = x
                run.removeAll(keepingCapacity: true)
                while x < cols {
                    let cell = buffer[x, y]
                    if cell.style != style { break }
                    x += 1
                    if cell.isContinuation { break }  // after a wide character: position the next run anew
                    for s in cell.text.unicodeScalars { run.append(wchar_t(bitPattern: s.value)) }
                }
                guard !run.isEmpty else { continue }
                let i = Int(style.rawValue)
                wattr_set(win, attributes[i], pairs[i], nil)
                run.withUnsafeBufferPointer { p in
                    _ = mvwaddnwstr(win, Int32(y), Int32(start), p.baseAddress, Int32(p.count))
                }
            }
        }
        wattr_set(win, 0, 0, nil)
        wnoutrefresh(win)
        doupdate()
    }

    public func readKey(timeoutMs: Int) -> Key? {
        guard active else { return nil }
        let win = logtop_stdscr()
        wtimeout(win, Int32(min(max(0, timeoutMs), 60_000)))
        let ch = wgetch(win)
        if ch == ERR { return nil }
        return Self.key(ch)
    }

    /// The key of a curses `getch` code.
    static func key(_ ch: Int32) -> Key {
        switch ch {
        case Int32(KEY_UP): return .up
        case Int32(KEY_DOWN): return .down
        case Int32(KEY_LEFT): return .left
        case Int32(KEY_RIGHT): return .right
        case Int32(KEY_PPAGE): return .pageUp
        case Int32(KEY_NPAGE): return .pageDown
        case Int32(KEY_HOME): return .home
        case Int32(KEY_END): return .end
        case Int32(KEY_BTAB): return .backTab
        case Int32(KEY_ENTER), 10, 13: return .enter
        case Int32(KEY_BACKSPACE), 127, 8: return .backspace
        case logtop_key_resize(): return .resize
        case 9: return .tab
        case 27: return .escape
        case 1...26: return .control(Character(Unicode.Scalar(UInt8(ch) + 96)))
        case 32...126: return .char(Character(Unicode.Scalar(UInt8(ch))))
        default:
            for n in 1...12 where ch == logtop_key_f(Int32(n)) { return .function(n) }
            return .other(Int(ch))
        }
    }

    public func invalidate() { repaint = true }

    public func restore() {
        guard active else { return }
        active = false
        curs_set(1)
        endwin()
        logtop_guard_disarm()
        if let s = screen { delscreen(s) }
        screen = nil
    }
}
