import Testing
@testable import LogtopCore

@Suite struct TopKTests {
    @Test func exactWhileKeysFit() {
        var k = TopK(capacity: 10)
        for i in 0..<10 { for _ in 0...i { k.add("k\(i)") } }
        let top = k.top(3)
        #expect(top.map(\.key) == ["k9", "k8", "k7"])
        #expect(top.map(\.count) == [10, 9, 8])
        #expect(top.allSatisfy { $0.error == 0 })
        #expect(k.total == 55)
    }

    @Test func heavyHittersSurviveManyDistinctKeys() {
        var k = TopK(capacity: 64)
        var rng = SplitMix64Test(seed: 7)
        for i in 0..<200_000 {
            if i % 4 == 0 { k.add("heavy-a") } else if i % 10 == 1 { k.add("heavy-b") } else { k.add("noise-\(rng.next() % 100_000)") }
        }
        let top = k.top(2)
        #expect(top.map(\.key) == ["heavy-a", "heavy-b"])
        // Overestimate is bounded by the reported error; the true count is 50,000.
        #expect(top[0].count >= 50_000 && top[0].count - top[0].error <= 50_000)
    }

    @Test func mergeAddsCounts() {
        var a = TopK(capacity: 8), b = TopK(capacity: 8)
        for _ in 0..<5 { a.add("x", status: 404) }
        for _ in 0..<7 { b.add("x", status: 503) }
        b.add("y")
        a.merge(b)
        #expect(a.estimate("x") == 12)
        #expect(a.top(1)[0].clientErrors == 5 && a.top(1)[0].serverErrors == 7)
        #expect(a.total == 13)
    }
}

@Suite struct HyperLogLogTests {
    @Test(arguments: [100, 1_000, 50_000, 300_000])
    func estimateWithinTwoPercent(n: Int) {
        var h = HyperLogLog()
        for i in 0..<n { h.insert("client-\(i)") }
        let err = abs(Double(h.estimate - n)) / Double(n)
        #expect(err <= 0.02, "n=\(n) estimate=\(h.estimate)")
    }

    @Test func mergeIsUnion() {
        var a = HyperLogLog(), b = HyperLogLog()
        for i in 0..<30_000 { a.insert("c\(i)") }
        for i in 20_000..<60_000 { b.insert("c\(i)") }
        a.merge(b)
        #expect(abs(Double(a.estimate - 60_000)) / 60_000 <= 0.02)
        var small = HyperLogLog()
        small.insert("c1"); small.insert("zz")
        a.merge(small)
        #expect(abs(Double(a.estimate - 60_001)) / 60_001 <= 0.02)
    }
}

@Suite struct LatencyHistogramTests {
    @Test func percentilesWithinOnePointSixPercent() throws {
        var h = LatencyHistogram()
        for v in 1...10_000 { h.record(micros: Int64(v) * 100) }  // 0.1 ms ... 1000 ms
        for (q, truth) in [(0.5, 500_000.0), (0.95, 950_000.0), (0.99, 990_000.0)] {
            let p = Double(try #require(h.percentile(q)))
            #expect(abs(p - truth) / truth <= 0.016, "q=\(q) p=\(p)")
        }
        #expect(LatencyHistogram().percentile(0.5) == nil)
    }

    @Test func mergeEqualsCombinedRecording() {
        var a = LatencyHistogram(), b = LatencyHistogram(), all = LatencyHistogram()
        for v in stride(from: 0, to: 5_000_000, by: 7919) { a.record(micros: Int64(v)); all.record(micros: Int64(v)) }
        for v in stride(from: 3, to: 90_000, by: 101) { b.record(micros: Int64(v)); all.record(micros: Int64(v)) }
        a.merge(b)
        #expect(a == all)
    }
}

/// Local deterministic generator so the sketch tests do not depend on other files.
struct SplitMix64Test {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return StableHash.mix(state)
    }
}
