import Foundation
import LogtopCore

/// The event loop: draws a frame several times a second, waits for keys in between (the wait is the
/// terminal's own `getch` timeout, so an idle dashboard sleeps), turns keys into state changes and
/// commands, and restores the terminal however it ends: q, a stop request (SIGINT, SIGTERM, SIGHUP set
/// a flag that `stopRequested` reads), or an error thrown by `feed`.
public struct DashboardLoop {
    /// Seconds between frames when no key is pressed.
    public var frameInterval: Double

    public init(frameInterval: Double = 0.2) {
        self.frameInterval = frameInterval
    }

    /// Runs until q, a stop request or an error (rethrown after the terminal is restored).
    public func run(terminal: some TerminalBackend, state initial: DashboardState = DashboardState(),
                    feed: () throws -> DashboardFeed, send: (Command) -> Void,
                    stopRequested: () -> Bool) throws -> DashboardExit {
        defer { terminal.restore() }
        var state = initial
        var current = try feed()
        var shown: (feed: DashboardFeed, state: DashboardState, width: Int, height: Int)?
        /// Draws a frame unless nothing changed since the last one (an idle dashboard draws about once a
        /// second, when the clock moves).
        func draw(force: Bool = false) {
            state.reconcile(with: current)
            let (w, h) = terminal.size
            if !force, let s = shown, s.width == w, s.height == h, s.state == state, s.feed == current { return }
            terminal.present(DashboardRenderer.render(feed: current, state: state, width: w, height: h, glyphs: terminal.glyphs))
            shown = (current, state, w, h)
        }
        draw()
        var nextFrame = Self.monotonicSeconds() + frameInterval
        while true {
            if stopRequested() { return .stopRequested }
            let wait = max(0, nextFrame - Self.monotonicSeconds())
            if let key = terminal.readKey(timeoutMs: Int((wait * 1000).rounded(.up))) {
                var force = false
                switch key {
                case .resize, .control("l"):
                    terminal.invalidate()
                    force = true
                default:
                    let (next, commands) = KeyMap.handle(key, state: state, feed: current)
                    state = next
                    for c in commands { send(c) }
                    if state.quitRequested { return .quit }
                }
                // Show the effect at once (a pause, a new threshold) with fresh data.
                current = try feed()
                draw(force: force)
                continue
            }
            current = try feed()
            draw()
            nextFrame = Self.monotonicSeconds() + frameInterval
        }
    }

    static func monotonicSeconds() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }
}
