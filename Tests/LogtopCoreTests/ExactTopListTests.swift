import Testing
@testable import LogtopCore

/// Report lists: exact up to `exactKeys` distinct keys, then a Space-Saving sketch of `capacity`.
@Suite struct ExactTopLists {
    /// Key `i` counted `i % 7 + 1` times, in a scrambled order.
    static func fill(_ k: inout TopK, keys: Range<Int>) {
        for round in 0..<7 {
            for i in keys where i % 7 >= round { k.add("k\((i * 7_919) % keys.upperBound)") }
        }
    }

    @Test func exactUpToExactKeysThenASketch() {
        var k = TopK(capacity: 16, exactKeys: 1_000)
        Self.fill(&k, keys: 0..<1_000)
        #expect(k.isExact && k.count == 1_000 && k.floor == 0)
        #expect(k.top(1_000).allSatisfy { $0.error == 0 })
        let truth = Dictionary(uniqueKeysWithValues: (0..<1_000).map { i in ("k\((i * 7_919) % 1_000)", i % 7 + 1) })
        #expect(k.top(1_000).allSatisfy { truth[$0.key] == $0.count })
        k.add("one more")
        #expect(!k.isExact && k.count == 16 && k.isFull)
        // Still a sketch: counts never below the truth, `count - error` never above.
        for e in k.top(16) {
            let n = e.key == "one more" ? 1 : truth[e.key]!
            #expect(e.count >= n && e.count - e.error <= n)
        }
        #expect(k.floor >= 7)  // every key left out had at most 7
    }

    /// A second's list when the second is final: the `capacity` largest kept with their exact counts
    /// (cut down in place, or copied when it held more than twice `capacity`), the smallest bounding
    /// every key left out, and from then on a sketch of `capacity`.
    @Test(arguments: [20, 40, 1_000])
    func endingExactCountingKeepsTheLargest(_ keys: Int) {
        var k = TopK(capacity: 16, exactKeys: 4_096)
        Self.fill(&k, keys: 0..<keys)
        let truth = Dictionary(uniqueKeysWithValues: (0..<keys).map { i in ("k\((i * 7_919) % keys)", i % 7 + 1) })
        let total = k.total
        k.endExactCounting()
        #expect(k.count == 16 && k.isFull && k.total == total && k.maxCount == 7)
        let kept = k.top(16)
        #expect(kept.allSatisfy { truth[$0.key] == $0.count && $0.error == 0 })
        let smallest = kept.map(\.count).min()!
        #expect(k.floor == smallest && truth.values.filter { $0 > smallest }.count <= 16)
        for (key, n) in truth where !kept.contains(where: { $0.key == key }) { #expect(n <= k.floor) }
        k.add("new")  // a sketch now: the newcomer replaces the smallest and inherits its count
        #expect(k.count == 16 && k.estimate("new") == smallest + 1 && k.top(16).contains { $0.key == "new" && $0.error == smallest })
    }

    /// A merge with room for every key (an exact part into an exact list, or into a sketch that is
    /// not full) counts as adding the part's keys one by one; a sketch it fills builds its heap.
    @Test func mergingWithRoomEqualsAddingOneByOne() {
        var a = TopK(capacity: 8)
        for i in 0..<5 { a.add("a\(i)", weight: i + 1) }
        var b = TopK(capacity: 8)
        b.add("a0", weight: 10, status: 404)
        for i in 0..<3 { b.add("b\(i)", weight: 6 + i, status: 503) }
        var merged = a, added = a
        merged.merge(b)
        added.add("a0", weight: 10, status: 404)
        for i in 0..<3 { added.add("b\(i)", weight: 6 + i, status: 503) }
        #expect(merged == added && merged.isFull && merged.total == 15 + 10 + 21 && merged.maxCount == 11)
        #expect(merged.top(1) == [TopEntry(key: "a0", count: 11, clientErrors: 10)])
        merged.add("new")  // evicts the smallest (a1, 2): the heap was built
        added.add("new")
        #expect(merged == added && merged.estimate("new") == 3 && merged.estimate("a1") == 3)
        var exact = TopK(capacity: 4, exactKeys: 100)
        Self.fill(&exact, keys: 0..<50)
        var part = TopK(capacity: 4, exactKeys: 100)
        Self.fill(&part, keys: 25..<75)
        var oneByOne = exact
        part.forEachKey { key, o in
            oneByOne.add(key, hash: o.hash, weight: o.count, clientErrors: o.fours, serverErrors: o.fives, error: o.error)
        }
        exact.merge(part)
        #expect(exact == oneByOne && exact.isExact && exact.count > 50)
    }

    @Test func mergesStayExactWhileTheUnionFits() {
        var a = TopK(capacity: 8, exactKeys: 500)
        var b = TopK(capacity: 8, exactKeys: 500)
        Self.fill(&a, keys: 0..<300)
        for i in 200..<450 { b.add("k\(i)", weight: 2) }
        a.merge(b)
        #expect(a.isExact && a.count <= 500 && a.total == b.total + (0..<300).reduce(0) { $0 + $1 % 7 + 1 })
        var c = TopK(capacity: 8, exactKeys: 500)
        for i in 1_000..<1_200 { c.add("k\(i)") }
        a.merge(c)  // more than 500 keys: a sketch of 8
        #expect(!a.isExact && a.count == 8)
        // A sketch that already evicted makes an exact list a sketch too (its floor widens every count).
        var exact = TopK(capacity: 8, exactKeys: 500)
        exact.add("x")
        var evicted = TopK(capacity: 2)
        for i in 0..<5 { evicted.add("e\(i)") }
        exact.merge(evicted)
        #expect(!exact.isExact && exact.top(3).contains { $0.error > 0 })
    }
}
