import Foundation
import LogtopTestSupport
import Synchronization
import Testing
@testable import LogtopKafka

/// The guard every client's handle goes through: `close` refuses new calls at once, runs its body
/// only after the calls already inside have returned, exactly once, and a second `close` returns only
/// after the first has finished.
@Suite struct HandleLifetimeTests {
    @Test func closeWaitsForTheCallsInsideAndRefusesNewOnes() async throws {
        let lifetime = HandleLifetime()
        let release = DispatchSemaphore(value: 0)
        let seen = Seen()

        // A call holding the handle until released.
        let user = Task.detached {
            try await onThread {
                _ = lifetime.ifOpen {
                    seen.inside.store(true, ordering: .releasing)
                    release.wait()
                    seen.userSawBodyRun.store(seen.bodyRuns.load(ordering: .acquiring) > 0, ordering: .releasing)
                }
            }
        }
        let entered = try await onThread { waitUntil(10) { seen.inside.load(ordering: .acquiring) } }
        #expect(entered)

        let first = Task.detached { try await onThread { lifetime.close { seen.bodyRuns.add(1, ordering: .releasing) } } }
        // Once close has begun, new calls are refused without waiting for the call inside.
        let refused = try await onThread { waitUntil(10) { lifetime.ifOpen { true } == nil } }
        #expect(refused)
        #expect(seen.bodyRuns.load(ordering: .acquiring) == 0, "the closing body waits for the call inside")
        let second = Task.detached { try await onThread { lifetime.close { seen.bodyRuns.add(1, ordering: .releasing) } } }

        release.signal()
        try await user.value
        #expect(try await first.value == true)
        #expect(try await second.value == false)
        let runs = seen.bodyRuns.load(ordering: .acquiring)
        let userSawBodyRun = seen.userSawBodyRun.load(ordering: .acquiring)
        #expect(runs == 1, "the body runs once, and the second close returned after it")
        #expect(!userSawBodyRun)
        #expect(lifetime.ifOpen { true } == nil)
        #expect(lifetime.close {} == false)
    }

    @Test func callsMayNestAndRunTogether() {
        let lifetime = HandleLifetime()
        #expect(lifetime.ifOpen { lifetime.ifOpen { 42 } } == .some(.some(42)))
        #expect(lifetime.close {})
    }
}

/// What the threads of a test saw.
private final class Seen: Sendable {
    let inside = Atomic<Bool>(false)
    let bodyRuns = Atomic<Int>(0)
    let userSawBodyRun = Atomic<Bool>(false)
}
