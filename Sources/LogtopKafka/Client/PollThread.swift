import Foundation
import Synchronization

/// A dedicated OS thread that runs `iteration` in a loop until stopped.
///
/// Used to serve librdkafka callbacks with blocking `rd_kafka_poll` calls,
/// which must never run on Swift's cooperative thread pool.
final class PollThread: Sendable {
    private let stopRequested = Atomic<Bool>(false)
    /// Signalled once by the thread when its loop has ended: an event `stop` waits for, not a lock.
    private let finished = DispatchSemaphore(value: 0)

    /// Starts the thread; `iteration` should block for a bounded time (e.g. 100 ms).
    init(name: String, iteration: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            while !stopRequested.load(ordering: .acquiring) { iteration() }
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Asks the loop to stop, `interrupt`s the current iteration (so that a blocking one need not run
    /// out its timeout) and waits for it to finish. Must not be called from the thread itself.
    /// Idempotent.
    func stop(interrupt: () -> Void = {}) {
        let (exchanged, _) = stopRequested.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing)
        guard exchanged else { return }
        interrupt()
        finished.wait()
    }
}
