import Foundation

/// A thread waits here for another thread's news (the analyzer took lines, so a source held back by
/// back-pressure may go on) instead of polling with `usleep`.
///
/// The one place the pipeline uses `NSCondition`: `Synchronization` has `Mutex` and `Atomic` but no
/// condition variable, and a waiting thread must sleep until it is signalled, not spin.
final class Wakeup: @unchecked Sendable {
    // @unchecked: `generation` is only touched with `condition` locked.
    private let condition = NSCondition()
    private var generation = 0

    /// Wakes every thread waiting now.
    func signal() {
        condition.lock()
        generation &+= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Sleeps until the next `signal()` or `seconds` have passed (a bound, so that a waiter still
    /// notices a stop that nobody signals).
    func wait(seconds: Double) {
        condition.lock()
        let seen = generation
        let deadline = Date(timeIntervalSinceNow: seconds)
        while generation == seen, condition.wait(until: deadline) {}
        condition.unlock()
    }
}
