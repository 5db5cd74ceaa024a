import Foundation

/// Guards the lifetime of a librdkafka handle shared between threads.
///
/// Calls that use the handle (`produce`, `poll`, `stats`) run under the shared
/// (read) side of a readers-writer lock and first check `isOpen`; `close` takes
/// the exclusive (write) side, so it waits for those calls to return and no call
/// can touch the handle after it has been destroyed.
final class HandleLifetime: @unchecked Sendable {
    private let rwlock: UnsafeMutablePointer<pthread_rwlock_t>
    // Only read under the read lock and written under the write lock.
    private var open = true

    init() {
        rwlock = .allocate(capacity: 1)
        rwlock.initialize(to: pthread_rwlock_t())
        #if os(Linux)
        // Prefer the writer, so `close` is not starved by busy producers. Safe
        // because no reader ever takes the lock twice.
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        pthread_rwlock_init(rwlock, &attributes)
        pthread_rwlockattr_destroy(&attributes)
        #else
        pthread_rwlock_init(rwlock, nil)
        #endif
    }

    deinit {
        pthread_rwlock_destroy(rwlock)
        rwlock.deinitialize(count: 1)
        rwlock.deallocate()
    }

    /// Runs `body` while the handle is guaranteed to stay alive; returns nil
    /// without running it once the handle has been closed. Never nest calls.
    func ifOpen<Result>(_ body: () throws -> Result) rethrows -> Result? {
        pthread_rwlock_rdlock(rwlock)
        defer { pthread_rwlock_unlock(rwlock) }
        guard open else { return nil }
        return try body()
    }

    /// Runs `body` exclusively, exactly once over the object's life, and marks
    /// the handle closed. Returns false when it was already closed.
    @discardableResult
    func close(_ body: () -> Void) -> Bool {
        pthread_rwlock_wrlock(rwlock)
        defer { pthread_rwlock_unlock(rwlock) }
        guard open else { return false }
        open = false
        body()
        return true
    }
}
