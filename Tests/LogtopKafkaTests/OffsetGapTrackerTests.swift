import Testing
@testable import LogtopKafka

@Suite struct OffsetGapTrackerTests {
    let p0 = TopicPartition(topic: "logs", partition: 0)
    let p1 = TopicPartition(topic: "logs", partition: 1)

    @Test func contiguousOffsetsLoseNothing() {
        var tracker = OffsetGapTracker()
        for offset in 0..<100 { #expect(tracker.observe(p0, offset: Int64(offset)) == 0) }
        #expect(tracker.lostRecords == 0)
        #expect(tracker.nextExpected[p0] == 100)
    }

    @Test func gapsAreCountedPerPartition() {
        var tracker = OffsetGapTracker()
        tracker.observe(p0, offset: 0)
        tracker.observe(p0, offset: 1)
        #expect(tracker.observe(p0, offset: 10) == 8)
        tracker.observe(p1, offset: 5) // first record of p1 only sets the expectation
        #expect(tracker.observe(p1, offset: 7) == 1)
        #expect(tracker.lostByPartition == [p0: 8, p1: 1])
        #expect(tracker.lostRecords == 9)
    }

    @Test func committedOffsetSeedsTheExpectation() {
        var tracker = OffsetGapTracker()
        tracker.expect(p0, nextOffset: 10)
        #expect(tracker.observe(p0, offset: 250) == 240)
        tracker.expect(p1, nextOffset: -1001) // logical offsets (e.g. OFFSET_INVALID) are ignored
        #expect(tracker.observe(p1, offset: 3) == 0)
        #expect(tracker.lostRecords == 240)
    }

    @Test func rewindsAreNotLosses() {
        var tracker = OffsetGapTracker()
        tracker.observe(p0, offset: 5)
        tracker.observe(p0, offset: 6)
        #expect(tracker.observe(p0, offset: 3) == 0)
        #expect(tracker.rewinds == 1)
        #expect(tracker.observe(p0, offset: 4) == 0)
        #expect(tracker.lostRecords == 0)
    }

    @Test func forgetKeepsLossesButDropsExpectation() {
        var tracker = OffsetGapTracker()
        tracker.observe(p0, offset: 0)
        tracker.observe(p0, offset: 5)
        tracker.forget(p0)
        #expect(tracker.observe(p0, offset: 100) == 0)
        #expect(tracker.lostRecords == 4)
    }
}

@Suite struct FirstAssignmentGaps {
    /// A new group starts a partition at its start: records trimmed between the assignment and the
    /// first fetch are counted as lost too (the rebalance passes the start known at assignment).
    @Test func recordsTrimmedBeforeTheFirstFetchAreLost() {
        let state = ConsumptionState()
        let tp = TopicPartition(topic: "logs", partition: 0)
        state.assigned([tp], committed: [tp: 0])
        state.received(count: 50, runs: [(tp, 100, 150)])
        #expect(state.snapshot.tracker.lostRecords == 100)
        // Without an expectation (the start unknown) the first record sets it: nothing counted.
        let blind = ConsumptionState()
        blind.assigned([tp], committed: [:])
        blind.received(count: 50, runs: [(tp, 100, 150)])
        #expect(blind.snapshot.tracker.lostRecords == 0)
    }
}
