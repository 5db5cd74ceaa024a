import Foundation
import Synchronization

/// Checks `condition` every 20 ms until it holds or `seconds` pass; returns whether it held. Blocking:
/// call it from a thread of its own or a synchronous test, never from Swift's cooperative pool in a loop
/// that other tests need.
public func waitUntil(_ seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return condition()
}

/// Collects what a file handle gives (a child's stdout or stderr) on a background thread, until its end.
public final class TextCollector: Sendable {
    private struct State {
        var data = Data()
        var done = false
    }

    /// The state, in a class of its own so that the reading thread can hold it.
    private final class Shared: Sendable {
        let state = Mutex(State())
    }

    private let shared = Shared()

    public init(_ handle: FileHandle) {
        Thread.detachNewThread { [shared] in
            while true {
                let chunk = handle.availableData
                let end = chunk.isEmpty
                shared.state.withLock {
                    $0.data.append(chunk)
                    if end { $0.done = true }
                }
                if end { return }
            }
        }
    }

    /// Everything collected so far.
    public var text: String { shared.state.withLock { String(decoding: $0.data, as: UTF8.self) } }

    public var lines: [String] { text.split(separator: "\n").map(String.init) }

    /// The handle reached its end (the writer closed it or exited).
    public var finished: Bool { shared.state.withLock { $0.done } }
}
