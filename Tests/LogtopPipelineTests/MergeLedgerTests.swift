import LogtopCore
import Testing
@testable import LogtopPipeline

/// The merged view's exactness bookkeeping, given real holes, overlaps, replays and heartbeats.
@Suite struct MergeLedgerTests {
    /// A partial covering `first..<next` of logs partition `partition`, its lines all malformed (so it
    /// needs no seconds): one line per offset.
    func partial(_ member: String, _ first: Int64, _ next: Int64, partition: Int32 = 0, at: Int64 = 1_000) -> MetricsPartial {
        MetricsPartial(member: member, topic: "logs", partition: partition, firstOffset: first, nextOffset: next,
                       producedAt: at, memberLag: 7, seconds: [],
                       malformedByReason: next > first ? [.tooLong: Int(next - first)] : [:])
    }

    @Test func holesOverlapsAndReplaysAreCountedNotHidden() {
        var ledger = MergeLedger()
        let admitted1 = ledger.admit(partial("a", 0, 10))
        #expect(admitted1)
        let admitted2 = ledger.admit(partial("a", 10, 20))
        #expect(admitted2)
        #expect(ledger.status.gapRecords == 0 && ledger.status.overlapRecords == 0)
        // A partial lost before delivery: records 20..<25 are never covered.
        let admitted3 = ledger.admit(partial("b", 25, 30))
        #expect(admitted3)
        #expect(ledger.status.gapRecords == 5)
        // A new owner that started too early: 28 and 29 counted twice.
        let admitted4 = ledger.admit(partial("c", 28, 40))
        #expect(admitted4)
        #expect(ledger.status.overlapRecords == 2)
        // A replay of records already counted is skipped.
        let admitted5 = ledger.admit(partial("a", 30, 35))
        #expect(!admitted5)
        let admitted6 = ledger.admit(partial("a", 0, 40))
        #expect(!admitted6)
        #expect(ledger.status.duplicates == 2)
        // Another partition has its own ranges.
        let admitted7 = ledger.admit(partial("a", 100, 110, partition: 1))
        #expect(admitted7)
        #expect(ledger.status.gapRecords == 5 && ledger.status.overlapRecords == 2)
        #expect(ledger.status.partials == 5)
    }

    @Test func heartbeatsKeepAMemberListedWithoutMerging() {
        var ledger = MergeLedger()
        let admitted8 = ledger.admit(partial("a", 0, 10, at: 1_000))
        #expect(admitted8)
        let admitted9 = ledger.admit(partial("b", 10, 10, partition: 3, at: 2_000))
        #expect(!admitted9, "a heartbeat is not merged")
        #expect(ledger.status.partials == 1)
        let now = ledger.current(nowMs: 2_000)
        #expect(now.analyzers.map(\.member) == ["a", "b"])
        #expect(now.analyzers.map(\.lines) == [10, 0])
        #expect(now.analyzers.first { $0.member == "b" }?.partitions == [3])
        // Heard of long ago: listed, not active.
        let later = ledger.current(nowMs: 2_000 + MergeLedger.activeWindowMs + 1)
        #expect(later.activeAnalyzers.isEmpty && later.analyzers.count == 2)
    }
}
