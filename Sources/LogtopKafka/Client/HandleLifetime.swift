import Dispatch
import Synchronization

/// Guards the lifetime of a librdkafka handle shared between threads.
///
/// Calls that use the handle (`produce`, `poll`, `stats`) go through `ifOpen`, which counts them in
/// and out; `close` refuses new users, waits until the last one has left, then runs its body once.
/// So no call can touch the handle after it has been destroyed, and no lock is held while a user
/// or the closing body runs (a broker flush, a blocking poll): the mutex only guards the counts.
final class HandleLifetime: Sendable {
    private enum Phase {
        /// Usable; `users` calls are inside `ifOpen`.
        case open(users: Int)
        /// `close` was called: new users are refused; `drained` is signalled when the last of the
        /// `users` still inside leaves; `waiters` later `close` calls wait for `finished`.
        case closing(users: Int, drained: DispatchSemaphore, waiters: Int)
        /// The closing body has run.
        case closed
    }

    private let phase = Mutex(Phase.open(users: 0))
    /// Signalled (for every waiter) once the closing body has run. A semaphore used as an event, not as
    /// a lock: `Synchronization` has no way to wait for a condition.
    private let finished = DispatchSemaphore(value: 0)

    init() {}

    /// Runs `body` while the handle is guaranteed to stay alive; returns nil without running it once
    /// `close` has been called. Calls may nest and run concurrently.
    func ifOpen<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure) -> Result? {
        let entered = phase.withLock { phase -> Bool in
            guard case .open(let users) = phase else { return false }
            phase = .open(users: users + 1)
            return true
        }
        guard entered else { return nil }
        defer { leave() }
        return try body()
    }

    private func leave() {
        let drained = phase.withLock { phase -> DispatchSemaphore? in
            switch phase {
            case .open(let users):
                phase = .open(users: users - 1)
                return nil
            case .closing(let users, let drained, let waiters):
                phase = .closing(users: users - 1, drained: drained, waiters: waiters)
                return users == 1 ? drained : nil
            case .closed:
                preconditionFailure("a handle user left after the handle was closed")
            }
        }
        drained?.signal()
    }

    /// Runs `body` exactly once over the object's life, after every call inside `ifOpen` has returned,
    /// and marks the handle closed. Returns false when it was already closing or closed (after waiting
    /// until the first `close` has finished). Must not be called from inside `ifOpen`.
    @discardableResult
    func close(_ body: () -> Void) -> Bool {
        enum Role { case closer(wait: DispatchSemaphore?), waiter, done }
        let role = phase.withLock { phase -> Role in
            switch phase {
            case .open(let users):
                let drained = DispatchSemaphore(value: 0)
                phase = .closing(users: users, drained: drained, waiters: 0)
                return .closer(wait: users > 0 ? drained : nil)
            case .closing(let users, let drained, let waiters):
                phase = .closing(users: users, drained: drained, waiters: waiters + 1)
                return .waiter
            case .closed:
                return .done
            }
        }
        switch role {
        case .closer(let drained):
            drained?.wait()
            body()
            let waiters = phase.withLock { phase -> Int in
                defer { phase = .closed }
                if case .closing(_, _, let waiters) = phase { return waiters }
                return 0
            }
            for _ in 0..<waiters { finished.signal() }
            return true
        case .waiter:
            finished.wait()
            return false
        case .done:
            return false
        }
    }
}
