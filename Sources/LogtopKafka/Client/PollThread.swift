import Foundation

/// A dedicated OS thread that runs `iteration` in a loop until stopped.
///
/// Used to serve librdkafka callbacks with blocking `rd_kafka_poll` calls,
/// which must never run on Swift's cooperative thread pool.
final class PollThread: Sendable {
    private let stopRequested = Locked(false)
    private let finished = DispatchSemaphore(value: 0)

    /// Starts the thread; `iteration` should block for a bounded time (e.g. 100 ms).
    init(name: String, iteration: @escaping @Sendable () -> Void) {
        let stopRequested = self.stopRequested
        let finished = self.finished
        let thread = Thread {
            while !stopRequested.snapshot { iteration() }
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Asks the loop to stop and waits for the current iteration to finish.
    /// Must not be called from the thread itself. Idempotent.
    func stop() {
        let first = stopRequested.withLock { flag -> Bool in
            defer { flag = true }
            return !flag
        }
        if first { finished.wait() }
    }
}

/// A librdkafka handle pointer that may cross threads: `rd_kafka_t` is
/// thread-safe, and its owner guarantees it outlives every user.
struct SendableHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}
