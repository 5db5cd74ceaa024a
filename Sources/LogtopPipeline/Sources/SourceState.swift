import Foundation

/// What a source is doing right now, as shown in the status line and the dashboard's sources pane.
public enum SourceState: Sendable, Equatable {
    case starting
    /// The synthetic traffic generator is running.
    case generating
    /// Reading a file or standard input.
    case reading
    /// At the end of a followed file, waiting for it to grow (or to be rotated).
    case following
    /// A followed file that does not exist (yet): checked again every poll.
    case waitingForFile
    /// Opening a TCP connection.
    case connecting
    case connected
    /// The TCP peer went away or refused: the next attempt is at this wall-clock time (Unix seconds).
    case reconnecting(at: Double)
    /// A finite source reached its end.
    case done
    /// Stopped by the pipeline (shutdown) before its end.
    case stopped
    /// Ended on an error (e.g. a file that cannot be opened).
    case failed(String)

    /// `following`, `waiting for file`, `reconnecting in 2s`, ...
    public func text(now: Double = Date().timeIntervalSince1970) -> String {
        switch self {
        case .starting: return "starting"
        case .generating: return "generating"
        case .reading: return "reading"
        case .following: return "following"
        case .waitingForFile: return "waiting for file"
        case .connecting: return "connecting"
        case .connected: return "connected"
        case .reconnecting(let at): return "reconnecting in \(max(0, Int((at - now).rounded(.up))))s"
        case .done: return "done"
        case .stopped: return "stopped"
        case .failed(let why): return "failed: \(why)"
        }
    }

    /// True for a source that ended (done, stopped or failed).
    public var isOver: Bool {
        switch self {
        case .done, .stopped, .failed: return true
        default: return false
        }
    }
}
