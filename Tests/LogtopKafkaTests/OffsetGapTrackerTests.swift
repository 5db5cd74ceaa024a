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
        state.received(count: 50, runs: [.unmarked(tp, 100, 150)])
        #expect(state.snapshot.tracker.lostRecords == 100)
        // Without an expectation (the start unknown) the first record sets it: nothing counted.
        let blind = ConsumptionState()
        blind.assigned([tp], committed: [:])
        blind.received(count: 50, runs: [.unmarked(tp, 100, 150)])
        #expect(blind.snapshot.tracker.lostRecords == 0)
    }
}

extension OffsetRun {
    /// Records of one line each, saying nothing of their place.
    static func unmarked(_ tp: TopicPartition, _ first: Int64, _ next: Int64) -> OffsetRun {
        OffsetRun(partition: tp, first: first, next: next, firstMark: .unmarked(), lastMark: .unmarked(), lines: Int(next - first))
    }

    /// Records of `perRecord` lines each of run `run`, numbered from line `firstLine`.
    static func marked(_ tp: TopicPartition, _ first: Int64, _ next: Int64, run: UInt64, firstLine: Int64, perRecord: Int) -> OffsetRun {
        let records = Int(next - first)
        return OffsetRun(partition: tp, first: first, next: next,
                         firstMark: LineMark(run: run, first: firstLine, count: perRecord, record: firstLine / Int64(perRecord)),
                         lastMark: LineMark(run: run, first: firstLine + Int64((records - 1) * perRecord), count: perRecord,
                                            record: firstLine / Int64(perRecord) + Int64(records - 1)),
                         lines: records * perRecord)
    }
}

/// Records that hold several lines (logtop's own, `LineMark`): lost lines, not only lost records.
@Suite struct LostLines {
    let tp = TopicPartition(topic: "logs", partition: 0)

    @Test func aGapBetweenRecordsOfOneRunCountsTheLinesTheirNumbersSkip() {
        let state = ConsumptionState()
        state.assigned([tp], committed: [tp: 0])
        // Records 0..<10 of 100 lines (lines 0..<1000), then records 10..<13 (lines 1000..<1300) are
        // gone, then records 13..<20 (lines 1300..<2000).
        state.received(count: 10, runs: [.marked(tp, 0, 10, run: 7, firstLine: 0, perRecord: 100)])
        state.received(count: 7, runs: [.marked(tp, 13, 20, run: 7, firstLine: 1_300, perRecord: 100)])
        let s = state.snapshot
        #expect(s.tracker.lostRecords == 3)
        #expect(s.lostLines == 300)
        #expect(s.consumedLines == 1_700)
    }

    /// Run 7's tail and run 8's first 4 records (400 lines) are gone: run 8's lines are known, the
    /// tail's one record counts one line (nothing says how many it held).
    @Test func aGapBetweenTwoRunsCountsTheNewRunsLinesAndOneLinePerUnknownRecord() {
        let state = ConsumptionState()
        state.assigned([tp], committed: [tp: 0])
        state.received(count: 10, runs: [.marked(tp, 0, 10, run: 7, firstLine: 0, perRecord: 100)])
        state.received(count: 5, runs: [.marked(tp, 15, 20, run: 8, firstLine: 400, perRecord: 100)])
        #expect(state.snapshot.tracker.lostRecords == 5)
        #expect(state.snapshot.lostLines == 401)
    }

    /// A group that already read another run comes back to find the start of a new run trimmed.
    @Test func aRunsFirstRecordsTrimmedBeforeAnyOfItWasSeenAreCountedInLines() {
        let state = ConsumptionState()
        state.assigned([tp], committed: [tp: 30])
        state.received(count: 5, runs: [.marked(tp, 42, 47, run: 9, firstLine: 1_200, perRecord: 100)])
        #expect(state.snapshot.lostLines == 1_200)
    }

    /// Records of a run before the committed offset were read by an earlier member: a gap smaller than
    /// the run's records so far says nothing of its lines.
    @Test func aGapAfterRecordsReadByAnEarlierConsumerCountsOneLinePerRecord() {
        let state = ConsumptionState()
        state.assigned([tp], committed: [tp: 30])
        state.received(count: 5, runs: [.marked(tp, 32, 37, run: 9, firstLine: 3_200, perRecord: 100)])
        #expect(state.snapshot.lostLines == 2)
    }

    @Test func unmarkedRecordsCountOneLineEach() {
        let state = ConsumptionState()
        state.assigned([tp], committed: [tp: 0])
        state.received(count: 5, runs: [.unmarked(tp, 0, 5)])
        state.received(count: 5, runs: [.unmarked(tp, 9, 14)])
        #expect(state.snapshot.lostLines == 4)
        #expect(state.snapshot.consumedLines == 10)
    }

    /// A record whose delivery failed leaves a hole in its run's line numbers but none in the
    /// offsets: its lines are counted as failed by the producer, never as lost here.
    @Test func numbersSkippedWithoutAnOffsetGapAreNotLost() {
        let state = ConsumptionState()
        state.assigned([tp], committed: [tp: 0])
        state.received(count: 2, runs: [.marked(tp, 0, 2, run: 7, firstLine: 0, perRecord: 50)])
        state.received(count: 2, runs: [.marked(tp, 2, 4, run: 7, firstLine: 150, perRecord: 50)])
        #expect(state.snapshot.lostLines == 0)
    }

    /// A partition taken away and given back later: the records in between were another member's.
    @Test func aPartitionAssignedAgainStartsAfresh() {
        let state = ConsumptionState()
        state.assigned([tp], committed: [tp: 0])
        state.received(count: 2, runs: [.marked(tp, 0, 2, run: 7, firstLine: 0, perRecord: 50)])
        state.revoked([tp])
        state.assigned([tp], committed: [tp: 10])
        state.received(count: 2, runs: [.marked(tp, 10, 12, run: 7, firstLine: 500, perRecord: 50)])
        #expect(state.snapshot.lostLines == 0)
    }
}
