import Testing
@testable import LogtopCore

/// Random bytes from the local deterministic generator.
private func randomBytes(_ count: Int, _ rng: inout SplitMix64Test, from alphabet: [UInt8]? = nil) -> [UInt8] {
    (0..<count).map { _ in
        let r = rng.next()
        if let alphabet { return alphabet[Int(r % UInt64(alphabet.count))] }
        return UInt8(truncatingIfNeeded: r)
    }
}

private func isPrintableReference(_ bytes: some Collection<UInt8>) -> Bool { bytes.allSatisfy { $0 >= 0x20 && $0 <= 0x7E } }

@Suite struct StableHashScan {
    /// The same bytes hash alike wherever they sit in a buffer: at its start, in the middle, at its very
    /// end (each reads its last short word differently), and as a `String`.
    @Test func hashDoesNotDependOnWhereTheBytesAre() {
        var rng = SplitMix64Test(seed: 11)
        for length in 0...40 {
            let text = randomBytes(length, &rng, from: Array("abcXYZ019 /.-_~\"".utf8))
            let expected = text.withUnsafeBytes { StableHash.hash(bytes: $0) }
            #expect(StableHash.hash(String(decoding: text, as: UTF8.self)) == expected)
            for (before, after) in [(0, 0), (0, 9), (5, 0), (3, 17), (13, 2)] {
                let buffer = randomBytes(before, &rng) + text + randomBytes(after, &rng)
                let (hash, printable) = buffer.withUnsafeBytes { StableHash.scan($0, before, before + length) }
                #expect(hash == expected, "length \(length), \(before) before, \(after) after")
                #expect(printable)
            }
        }
    }

    @Test func printableMeansEveryByteIsPrintableASCII() {
        var rng = SplitMix64Test(seed: 12)
        let alphabet: [UInt8] = [0x00, 0x09, 0x1B, 0x1F, 0x20, 0x41, 0x7E, 0x7F, 0x80, 0x9B, 0xC3, 0xFF]
        for round in 0..<4_000 {
            let length = round % 41
            var bytes = randomBytes(length, &rng, from: Array(0x20...0x7E))
            if length > 0, round % 2 == 0 { bytes[Int(rng.next() % UInt64(length))] = alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let framed = randomBytes(3, &rng) + bytes + randomBytes(Int(rng.next() % 9), &rng)
            let scanned = framed.withUnsafeBytes { StableHash.scan($0, 3, 3 + length).printable }
            #expect(scanned == isPrintableReference(bytes), "\(bytes)")
            #expect(bytes.withUnsafeBufferPointer { Sanitizer.isPrintableASCII($0) } == isPrintableReference(bytes))
        }
    }

    @Test func distinctKeysGetDistinctHashes() {
        var seen = Set<UInt64>()
        for i in 0..<200_000 { seen.insert(StableHash.hash("10.\(i >> 16).\((i >> 8) & 255).\(i & 255)")) }
        for i in 0..<200_000 { seen.insert(StableHash.hash("/item/\(i)")) }
        #expect(seen.count == 400_000)
    }
}

@Suite struct WordAtATimeScans {
    /// `closingQuote` (eight bytes at a time) against the byte-by-byte definition.
    @Test func closingQuoteMatchesTheByteLoop() {
        func reference(_ s: [UInt8], _ from: Int) -> Int? {
            var p = from
            while p < s.count {
                if s[p] == 0x22 { return p }
                p += s[p] == 0x5C ? 2 : 1
            }
            return nil
        }
        var rng = SplitMix64Test(seed: 13)
        for round in 0..<20_000 {
            let line = randomBytes(round % 50, &rng, from: Array("ab  \"\\\\xyzw".utf8))
            let from = line.isEmpty ? 0 : Int(rng.next() % UInt64(line.count + 1))
            let got = line.withUnsafeBufferPointer { AccessLogParser.closingQuote($0, from: from) }
            #expect(got == reference(line, from), "\(String(decoding: line, as: UTF8.self)) from \(from)")
        }
    }

    @Test func firstIndexMatchesTheByteLoop() {
        var rng = SplitMix64Test(seed: 14)
        for round in 0..<20_000 {
            let line = randomBytes(round % 40, &rng, from: Array("abc?#/ ".utf8))
            let from = Int(rng.next() % UInt64(line.count + 1))
            let to = from + Int(rng.next() % UInt64(line.count - from + 1))
            let got = line.withUnsafeBufferPointer { AccessLogParser.firstIndex(of: 0x3F, or: 0x23, in: $0, from: from, to: to) }
            #expect(got == (line[from..<to].firstIndex { $0 == 0x3F || $0 == 0x23 } ?? to))
        }
    }
}

@Suite struct TopKInternals {
    /// Exact counts of a stream, to check the sketch's promises against.
    struct Exact {
        var counts: [String: Int] = [:]
        var total = 0
        mutating func add(_ key: String, _ n: Int = 1) { counts[key, default: 0] += n; total += n }
    }

    /// Every key held never underestimates, `count - error` never overestimates, and every key more
    /// frequent than total / capacity is held.
    func checkGuarantees(_ k: TopK, _ truth: Exact, sourceLine: SourceLocation = #_sourceLocation) {
        #expect(k.total == truth.total, sourceLocation: sourceLine)
        let held = k.top(k.capacity)
        #expect(held.count == min(k.capacity, truth.counts.count), sourceLocation: sourceLine)
        for e in held {
            let t = truth.counts[e.key] ?? 0
            #expect(e.count >= t && e.count - e.error <= t, "\(e.key): \(e.count) ± \(e.error), true \(t)", sourceLocation: sourceLine)
            #expect(k.estimate(e.key) == e.count, sourceLocation: sourceLine)
        }
        let keys = Set(held.map(\.key))
        for (key, t) in truth.counts where t > truth.total / k.capacity {
            #expect(keys.contains(key), "\(key) (\(t)) missing", sourceLocation: sourceLine)
        }
        for (key, t) in truth.counts where !keys.contains(key) {
            #expect(k.estimate(key) == k.floor && t <= k.floor, sourceLocation: sourceLine)
        }
        #expect(k.maxCount == (held.map(\.count).max() ?? 0), sourceLocation: sourceLine)
    }

    /// Heavy eviction with keys of very different lengths: the byte arena is reused and compacted.
    @Test func guaranteesHoldThroughEvictionAndArenaCompaction() {
        var rng = SplitMix64Test(seed: 21)
        var k = TopK(capacity: 50)
        var truth = Exact()
        for i in 0..<60_000 {
            let key: String
            switch i % 5 {
            case 0: key = "heavy"
            case 1: key = "medium-" + String(repeating: "m", count: Int(rng.next() % 3))
            default: key = "noise-\(rng.next() % 5_000)-" + String(repeating: "x", count: Int(rng.next() % 300))
            }
            k.add(key, status: i % 7 == 0 ? 404 : 200)
            truth.add(key)
            if i % 9_999 == 0 { checkGuarantees(k, truth) }
        }
        checkGuarantees(k, truth)
        #expect(k.top(1).first?.key == "heavy")
        #expect(k.arenaUsed - k.garbage <= 50 * 320)
        #expect(k.arena.count <= 4 * 50 * 320)
    }

    /// Counting from bytes and a hash (the engine's way) is counting the key's `String`.
    @Test func bytesAndStringsCountTheSameKeys() {
        var byString = TopK(capacity: 8), byBytes = TopK(capacity: 8)
        let keys = ["", "a", "/", "café", "10.0.0.1", "/api/v1/items/12345", String(repeating: "ü", count: 40)]
        for i in 0..<500 {
            let key = keys[(i * 7 + i / 3) % keys.count]
            let status = [200, 404, 503][i % 3]
            byString.add(key, status: status)
            var copy = key
            copy.withUTF8 { u in
                let bytes = UnsafeRawBufferPointer(u)
                byBytes.add(bytes, hash: StableHash.hash(bytes: bytes), status: status)
            }
        }
        #expect(byString.top(8) == byBytes.top(8))
        #expect(byBytes.estimate("") > 0 && byBytes.estimate("café") > 0)
    }

    /// The one-pass union of many sketches keeps the guarantees against the exact counts of all their
    /// streams, and is exact when no sketch overflowed and the union fits.
    @Test func unionOfManySketches() {
        var rng = SplitMix64Test(seed: 22)
        var parts: [TopK] = []
        var truth = Exact()
        for p in 0..<40 {
            var k = TopK(capacity: 16)
            for i in 0..<400 {
                let key = i % 3 == 0 ? "hot-\(i % 4)" : "k\(rng.next() % UInt64(30 + p * 5))"
                k.add(key)
                truth.add(key)
            }
            parts.append(k)
        }
        let union = TopK(merging: parts, capacity: 64)
        #expect(union.total == truth.total)
        for e in union.top(64) {
            let t = truth.counts[e.key] ?? 0
            #expect(e.count >= t && e.count - e.error <= t)
        }
        #expect(Set(union.top(4).map(\.key)) == ["hot-0", "hot-1", "hot-2", "hot-3"])
        for (key, t) in truth.counts where union.estimate(key) == union.floor {
            #expect(t <= union.floor, "\(key)")
        }

        // Small parts, nothing evicted: exact sums, the same as merging one by one.
        var a = TopK(capacity: 8), b = TopK(capacity: 8), c = TopK(capacity: 8)
        for (k, n) in [("x", 5), ("y", 2)] { for _ in 0..<n { a.add(k, status: 404) } }
        for (k, n) in [("x", 1), ("z", 7)] { for _ in 0..<n { b.add(k, status: 503) } }
        let exact = TopK(merging: [a, b, c], capacity: 8)
        var sequential = TopK(capacity: 8)
        for part in [a, b, c] { sequential.merge(part) }
        #expect(exact.top(8) == sequential.top(8))
        #expect(exact.top(8) == [TopEntry(key: "z", count: 7, serverErrors: 7),
                                 TopEntry(key: "x", count: 6, clientErrors: 5, serverErrors: 1),
                                 TopEntry(key: "y", count: 2, clientErrors: 2)])
        c.add("w")
        #expect(TopK(merging: [], capacity: 4).top(4).isEmpty)
        #expect(TopK(merging: [c], capacity: 1).top(1) == [TopEntry(key: "w", count: 1)])
    }

    @Test func mergeIntoAFullSketchKeepsTheHeap() {
        var big = TopK(capacity: 32)
        var truth = Exact()
        var rng = SplitMix64Test(seed: 23)
        for round in 0..<30 {
            var part = TopK(capacity: 8)
            var partTruth = Exact()
            for _ in 0..<100 {
                let key = "k\(rng.next() % UInt64(20 + round))"
                part.add(key)
                partTruth.add(key)
            }
            big.merge(part)
            for (key, n) in partTruth.counts { truth.add(key, n) }
            // The heap's minimum is the floor: evicting goes on from the right entry.
            #expect(big.floor == (big.isFull ? big.top(32).map(\.count).min()! : 0))
        }
        for e in big.top(32) { #expect(e.count >= (truth.counts[e.key] ?? 0)) }
    }

    @Test func reservingDoesNotChangeCounting() {
        var model = TopK(capacity: 16)
        for i in 0..<40 { model.add("m\(i % 20)") }
        var plain = TopK(capacity: 16), reserved = TopK(capacity: 16)
        reserved.reserve(like: model)
        for i in 0..<300 { plain.add("k\(i % 23)-\(i % 7)"); reserved.add("k\(i % 23)-\(i % 7)") }
        #expect(plain.top(16) == reserved.top(16))
    }

    @Test func largestIsTheKthOfTheSortedValues() {
        var rng = SplitMix64Test(seed: 24)
        for round in 1..<300 {
            let values = (0..<round).map { _ in Int(rng.next() % UInt64(1 + round % 17)) }
            let sorted = values.sorted(by: >)
            for k in Set([1, round, 1 + round / 2, max(1, round / 3)]) {
                var copy = values
                #expect(TopK.largest(k, of: &copy) == sorted[k - 1])
                #expect(copy.sorted(by: >) == sorted)
            }
        }
    }
}

@Suite struct SmallSketches {
    @Test func hyperLogLogIsExactWhileSmallIncludingHashZero() {
        var h = HyperLogLog()
        h.insert(hash: 0)
        h.insert(hash: 0)
        for i in 1...255 { h.insert(hash: StableHash.mix(UInt64(i))); h.insert(hash: StableHash.mix(UInt64(i))) }
        #expect(h.estimate == 256)
        var other = HyperLogLog()
        for i in (1...255).reversed() { other.insert(hash: StableHash.mix(UInt64(i))) }
        other.insert(hash: 0)
        #expect(h == other)
        h.insert(hash: StableHash.mix(1_000))   // 257 values: registers from now on
        #expect(h != other)
        #expect(abs(h.estimate - 257) <= 5)
        other.merge(h)
        #expect(other == h)
    }

    @Test func latencySubtractUndoesMerge() {
        var a = LatencyHistogram(), b = LatencyHistogram()
        for v in stride(from: 0, to: 3_000_000, by: 9_973) { a.record(micros: Int64(v)) }
        for v in stride(from: 5, to: 9_000_000, by: 77_777) { b.record(micros: Int64(v)) }
        var both = a
        both.merge(b)
        both.subtract(b)
        both.setMax(a.max)
        #expect(both.total == a.total)
        for q in [0.01, 0.5, 0.95, 0.999] { #expect(both.percentile(q) == a.percentile(q)) }
    }

    /// Handed-out strings are always what `Sanitizer` makes of the bytes, hit or miss.
    @Test func recentStringsAreTheSanitisedText() {
        var rng = SplitMix64Test(seed: 32)
        var recent = RecentStrings(size: 4)
        let pool: [[UInt8]] = (0..<40).map { i in
            switch i % 5 {
            case 0: return Array("Mozilla/5.0 (X11; Linux x86_64) agent \(i)".utf8)
            case 1: return Array("Mozilla/5.0 (X11; Linux x86_64) agent \(i + 100)".utf8)  // same length and ends
            case 2: return randomBytes(i % 9, &rng)                                              // controls, invalid UTF-8
            case 3: return Array(String(repeating: "long", count: 200).utf8)                    // cut by the sanitiser
            default: return Array("/caf\u{e9}/\(i)".utf8)
            }
        }
        for _ in 0..<5_000 {
            let bytes = pool[Int(rng.next() % UInt64(pool.count))]
            let framed = randomBytes(2, &rng) + bytes + randomBytes(Int(rng.next() % 10), &rng)
            let got = framed.withUnsafeBufferPointer { recent.string($0, 2, 2 + bytes.count) }
            #expect(got == Sanitizer.string(bytes))
            #expect(Array(got.utf8) == Array(Sanitizer.string(bytes).utf8))
        }
    }

    @Test func secondBucketsBehaveLikeADictionary() {
        var rng = SplitMix64Test(seed: 31)
        var buckets = SecondBuckets()
        var reference: [Int64: Int] = [:]
        for step in 0..<20_000 {
            // Mostly a sliding run of seconds, sometimes far away or negative.
            let t: Int64 = step % 97 == 0 ? Int64(bitPattern: rng.next() % 1_000) - 500 : Int64(step / 20) + Int64(rng.next() % 8)
            if rng.next() % 3 == 0 {
                buckets.removeValue(forKey: t)
                reference[t] = nil
            } else {
                if !buckets.contains(t) { buckets.add(t, TrafficAggregate(capacity: 2)) }
                buckets.modify(t) { $0.countLate() }
                reference[t, default: 0] += 1
            }
            if step % 50 == 0 {
                for key in reference.keys where key < Int64(step / 20) - 40 {
                    buckets.removeValue(forKey: key)
                    reference[key] = nil
                }
            }
        }
        #expect(buckets.count == reference.count)
        #expect(Set(buckets.keys) == Set(reference.keys))
        for (t, n) in reference { #expect(buckets.read(t) { $0.pointee.late } == n) }
        #expect(buckets.read(123_456_789) { $0.pointee.late } == nil)
    }
}
