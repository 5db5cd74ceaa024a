/// What the dashboard loop needs from a terminal. `CursesTerminal` is the real one; tests use a scripted
/// one. Every call comes from the thread that runs the loop.
public protocol TerminalBackend: AnyObject {
    /// Columns and rows now.
    var size: (width: Int, height: Int) { get }
    /// Unicode or ASCII, from the locale.
    var glyphs: Glyphs { get }
    /// Shows `buffer` (only the cells that changed reach the terminal).
    func present(_ buffer: ScreenBuffer)
    /// The next key, waiting at most `timeoutMs`; nil when none came.
    func readKey(timeoutMs: Int) -> Key?
    /// Repaint everything on the next `present` (Ctrl-L, after a resize).
    func invalidate()
    /// Gives the terminal back as it was. Idempotent; called on every way out.
    func restore()
}

/// Why the dashboard ended.
public enum DashboardExit: Sendable, Equatable {
    /// The person pressed q.
    case quit
    /// `stopRequested` said so (a signal, the end of --duration).
    case stopRequested
}

/// A problem that ends the dashboard, shown to the person after the terminal is restored.
public struct DashboardError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
