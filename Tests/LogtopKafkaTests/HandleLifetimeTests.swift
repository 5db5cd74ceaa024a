import Foundation
import LogtopTestSupport
import Synchronization
import Testing
@testable import LogtopKafka

/// The guard every client's handle goes through: `close` refuses new calls at once, runs its body
/// only after the calls already inside have returned, exactly once, and a second `close` returns only
/// after the first has finished.
///
/// The user and the closers run on threads of their own (not tasks): they block, and must start even
/// when other suites hold Swift's cooperative pool.
@Suite struct HandleLifetimeTests {
    @Test func closeWaitsForTheCallsInsideAndRefusesNewOnes() throws {
        let lifetime = HandleLifetime()
        let seen = Seen()

        // A call holding the handle until released.
        Thread.detachNewThread {
            _ = lifetime.ifOpen {
                seen.inside.store(true, ordering: .releasing)
                seen.release.wait()
                seen.userSawBodyRun.store(seen.bodyRuns.load(ordering: .acquiring) > 0, ordering: .releasing)
            }
            seen.userDone.signal()
        }
        try #require(waitUntil(30) { seen.inside.load(ordering: .acquiring) }, "the call got the handle")

        Thread.detachNewThread {
            let closed = lifetime.close { seen.bodyRuns.add(1, ordering: .releasing) }
            seen.firstCloseResult.store(closed ? 1 : 2, ordering: .releasing)
            seen.firstDone.signal()
        }
        // Once close has begun, new calls are refused without waiting for the call inside.
        try #require(waitUntil(30) { lifetime.ifOpen { true } == nil }, "close began")
        let runsWhileInside = seen.bodyRuns.load(ordering: .acquiring)
        #expect(runsWhileInside == 0, "the closing body waits for the call inside")
        Thread.detachNewThread {
            let closed = lifetime.close { seen.bodyRuns.add(1, ordering: .releasing) }
            seen.secondCloseResult.store(closed ? 1 : 2, ordering: .releasing)
            seen.secondDone.signal()
        }

        seen.release.signal()
        for (name, done) in [("the call", seen.userDone), ("the first close", seen.firstDone), ("the second close", seen.secondDone)] {
            #expect(done.wait(timeout: .now() + 30) == .success, "\(name) returned")
        }
        let runs = seen.bodyRuns.load(ordering: .acquiring)
        let userSawBodyRun = seen.userSawBodyRun.load(ordering: .acquiring)
        let first = seen.firstCloseResult.load(ordering: .acquiring)
        let second = seen.secondCloseResult.load(ordering: .acquiring)
        #expect(first == 1, "the first close ran the body")
        #expect(second == 2, "the second close did not")
        #expect(runs == 1, "the body runs once, and the second close returned after it")
        #expect(!userSawBodyRun, "the body ran after the call inside had returned")
        #expect(lifetime.ifOpen { true } == nil)
        #expect(lifetime.close {} == false)
    }

    @Test func callsMayNestAndRunTogether() {
        let lifetime = HandleLifetime()
        #expect(lifetime.ifOpen { lifetime.ifOpen { 42 } } == .some(.some(42)))
        #expect(lifetime.close {})
    }
}

/// What the threads of a test saw, and the events they wait for.
private final class Seen: Sendable {
    let inside = Atomic<Bool>(false)
    let bodyRuns = Atomic<Int>(0)
    let userSawBodyRun = Atomic<Bool>(false)
    /// 0: not returned yet, 1: returned true, 2: returned false.
    let firstCloseResult = Atomic<Int>(0)
    let secondCloseResult = Atomic<Int>(0)
    let release = DispatchSemaphore(value: 0)
    let userDone = DispatchSemaphore(value: 0)
    let firstDone = DispatchSemaphore(value: 0)
    let secondDone = DispatchSemaphore(value: 0)
}
