/// One entry of a top list.
public struct TopEntry: Sendable, Equatable {
    public var key: String
    /// Estimated count (never below the true count).
    public var count: Int
    /// How much `count` may overestimate (0 while the sketch has never evicted).
    public var error: Int
    /// Requests of this key answered 4xx and 5xx (counted since the key entered the sketch).
    public var clientErrors: Int
    public var serverErrors: Int

    public init(key: String, count: Int, error: Int = 0, clientErrors: Int = 0, serverErrors: Int = 0) {
        self.key = key
        self.count = count
        self.error = error
        self.clientErrors = clientErrors
        self.serverErrors = serverErrors
    }
}

/// Heavy hitters with the Space-Saving algorithm (Metwally et al.) in bounded memory.
///
/// Exact while at most `capacity` distinct keys have been seen; after that every key with true
/// frequency above `total / capacity` is guaranteed to be present, and counts overestimate by at most
/// the reported `error`. A min-heap finds the entry to evict in O(log capacity); it is built only
/// when the sketch fills up (a sketch that never holds `capacity` keys never evicts, so it keeps no
/// order at all).
///
/// Built for the per-line path of the engine: keys are kept as UTF-8 bytes in one arena (no `String`
/// and no reference counting per key), found through an open-addressing table (linear probing, at
/// most half full) indexed by each key's `StableHash`, which every slot keeps. A key given as bytes
/// with its hash (what the engine computes while it scans a line) is counted without creating
/// anything, merging sketches never hashes a key again, and `String`s are made only for `top(_:)`.
/// The arena is compacted when more than half of it is left over from evicted keys, so memory stays
/// bounded by `capacity` times the longest key.
///
/// With `exactKeys` above `capacity` (the top lists of reports), the first `exactKeys` distinct keys
/// are counted exactly, evicting nothing; the key after them turns it into the sketch of `capacity`
/// keys (the largest counts kept, each exact, and the smallest of them bounding every key left out),
/// which goes on as above. Memory: about 100 bytes plus the key's bytes per key held.
public struct TopK: Sendable {
    public let capacity: Int
    /// Distinct keys counted exactly before it becomes a sketch of `capacity` keys.
    public internal(set) var exactKeys: Int
    /// Keys it may hold: `exactKeys` until it becomes a sketch, then `capacity`.
    var limit: Int
    public internal(set) var total: Int = 0
    /// Largest count held: an upper bound of any key's count, kept without sorting.
    public internal(set) var maxCount: Int = 0

    struct Slot {
        var hash: UInt64
        var count: Int
        var error: Int
        var fours: Int
        var fives: Int
        /// The key is `arena[keyStart..<keyStart + keyLength]`; `keyRoom` bytes are reserved there.
        var keyStart: Int
        var keyLength: Int32
        var keyRoom: Int32
        var heapPos: Int32
    }

    var slots: [Slot] = []
    /// Slot numbers; a min-heap by count once the sketch is full (before, slot `i` is at `i`).
    var heap: [Int32] = []
    /// Open addressing: a slot number or -1; a power of two long, at most half full.
    var table: [Int32] = []
    /// UTF-8 of every key, back to back, in `arena[0..<arenaUsed]` (the rest is room to grow).
    var arena: [UInt8] = []
    var arenaUsed = 0
    /// Bytes of `arena[0..<arenaUsed]` no key uses any more.
    var garbage = 0

    public init(capacity: Int, exactKeys: Int? = nil) {
        precondition(capacity > 0)
        self.capacity = capacity
        self.exactKeys = Swift.max(capacity, exactKeys ?? capacity)
        limit = self.exactKeys
    }

    /// Empties it, keeping its storage; `exactKeys` as in `init`.
    mutating func clear(exactKeys: Int?) {
        self.exactKeys = Swift.max(capacity, exactKeys ?? capacity)
        limit = self.exactKeys
        total = 0
        maxCount = 0
        slots.removeAll(keepingCapacity: true)
        heap.removeAll(keepingCapacity: true)
        if !table.isEmpty { table.withUnsafeMutableBufferPointer { $0.update(repeating: -1) } }
        arenaUsed = 0
        garbage = 0
    }

    public var count: Int { slots.count }
    /// Whether it is a full sketch: every new key evicts the smallest.
    public var isFull: Bool { limit == capacity && slots.count >= capacity }
    /// Whether every count is exact: no key was ever evicted or charged a merged part's floor (every
    /// entry's error is 0) and the entries account for every occurrence counted.
    public var isExact: Bool {
        var sum = 0
        for s in slots {
            if s.error != 0 { return false }
            sum += s.count
        }
        return sum == total
    }

    /// Smallest count held (0 when not full): the bound on any absent key's count.
    public var floor: Int { isFull ? slots[Int(heap[0])].count : 0 }

    /// Count `key` `weight` times; `status` (if given) feeds the 4xx/5xx counts.
    public mutating func add(_ key: String, weight: Int = 1, status: Int = 0) {
        let fours = status >= 400 && status < 500 ? weight : 0
        let fives = status >= 500 && status < 600 ? weight : 0
        var text = key
        text.withUTF8 { u in
            let bytes = UnsafeRawBufferPointer(u)
            add(bytes, hash: StableHash.hash(bytes: bytes), weight: weight, clientErrors: fours, serverErrors: fives, error: 0)
        }
    }

    /// Count once the key whose UTF-8 is `key` and whose `StableHash` is `hash`; `status` feeds the
    /// 4xx/5xx counts. Returns whether the key was already held.
    @inline(__always) @discardableResult
    mutating func add(_ key: UnsafeRawBufferPointer, hash: UInt64, status: Int) -> Bool {
        let s = lookup(key, hash: hash)
        let fours = status >= 400 && status < 500 ? 1 : 0
        let fives = status >= 500 && status < 600 ? 1 : 0
        total += 1
        if s >= 0 {
            bump(s, weight: 1, error: 0, fours: fours, fives: fives)
            return true
        }
        insert(key, hash: hash, weight: 1, clientErrors: fours, serverErrors: fives, error: 0)
        return false
    }

    /// Adds and returns the slot now holding `key`.
    @discardableResult
    mutating func add(_ key: UnsafeRawBufferPointer, hash: UInt64, weight: Int, clientErrors: Int, serverErrors: Int,
                      error: Int) -> Int {
        total += weight
        let s = lookup(key, hash: hash)
        if s >= 0 {
            bump(s, weight: weight, error: error, fours: clientErrors, fives: serverErrors)
            return s
        }
        return insert(key, hash: hash, weight: weight, clientErrors: clientErrors, serverErrors: serverErrors, error: error)
    }

    /// Makes room, in an empty sketch, for about as many keys (and key bytes) as `model` holds, so
    /// that a new per-second sketch sized like the previous second's does not grow step by step.
    mutating func reserve(like model: TopK) {
        let bytes = model.arenaUsed - model.garbage
        reserve(keys: model.slots.count + model.slots.count / 8, bytes: bytes + bytes / 8)
    }

    /// Adds every entry of `other` (counts summed, errors widened), the mergeable-summary way.
    public mutating func merge(_ other: TopK) {
        if other.slots.isEmpty { total += other.total; return }
        if other.floor == 0, !isFull, slots.count + other.slots.count <= limit {
            mergeWithRoom(other)
            return
        }
        if limit > capacity && (slots.count + other.slots.count > limit || other.floor > 0) {
            // Counting exactly, and the union may not fit: built again, as a sketch when it does not.
            self = TopK(merging: [self, other], capacity: capacity, exactKeys: exactKeys)
            return
        }
        let otherFloor = other.floor
        let mergedTotal = total + other.total
        // Only needed when `other` charges absent keys its floor (a large sketch merging a small one
        // would otherwise clear a flag per slot of its own on every merge).
        var touched = otherFloor > 0 ? [Bool](repeating: false, count: limit) : []
        other.forEachKey { key, o in
            // A key absent from this sketch while it is full may have had up to `floor` occurrences:
            // `add` replaces the minimum and inherits its count as overestimate, which covers that.
            let slot = add(key, hash: o.hash, weight: o.count, clientErrors: o.fours, serverErrors: o.fives, error: o.error)
            if otherFloor > 0 { touched[slot] = true }
        }
        if otherFloor > 0 {
            // Every key not in `other` may have had up to `otherFloor` occurrences there. Adding it to
            // every count keeps the heap valid; taking it back from the keys just merged only lowers
            // those, which `siftUp` repairs: no O(capacity) rebuild.
            let full = isFull
            slots.withUnsafeMutableBufferPointer { sl in
                for i in sl.indices {
                    sl[i].count += otherFloor
                    sl[i].error += otherFloor
                }
            }
            for i in slots.indices where touched[i] {
                slots[i].count -= otherFloor
                slots[i].error -= otherFloor
                if full { siftUp(Int(slots[i].heapPos)) }
            }
            for s in slots where s.count > maxCount { maxCount = s.count }
        }
        total = mergedTotal
    }

    /// The union of `parts` built in one pass, the mergeable-summaries way: each key's count (and
    /// error) is the sum over the parts of its count there, or of that part's `floor` (the bound on
    /// any key it does not hold) where it is absent; the `capacity` largest are kept (ties: the first
    /// seen). Counts never underestimate, `count - error` never overestimates, and a key left out
    /// counts no more than any key kept, so `floor` stays a bound for absent keys.
    ///
    /// Cheaper than merging the parts one after another (what `merge` does): every key is looked up
    /// once per part in a table sized for all of them, nothing is evicted on the way, and no part
    /// makes the others' keys pay its floor one by one.
    /// With `exactKeys` (above `capacity`), every key is kept when there are at most that many, and
    /// the result goes on counting exactly up to `exactKeys` keys.
    init(merging parts: [TopK], capacity: Int, exactKeys: Int? = nil) {
        self.init(capacity: capacity, exactKeys: exactKeys)
        var floors = 0, mergedTotal = 0, upTo = 0
        for p in parts {
            floors += p.floor
            mergedTotal += p.total
            upTo += p.slots.count
        }
        total = mergedTotal
        guard upTo > 0 else { return }
        // Every key of every part, summed in a sketch that cannot fill up (nothing evicted); `held[s]`
        // is the sum of the floors of the parts that hold the key of slot `s`.
        var union = TopK(capacity: upTo + 1)
        union.reserve(keys: upTo, bytes: parts.reduce(0) { $0 + $1.arenaUsed - $1.garbage })
        var held: [Int] = []
        held.reserveCapacity(upTo)
        for p in parts {
            let floor = p.floor
            p.forEachKey { key, o in
                let s = union.add(key, hash: o.hash, weight: o.count, clientErrors: o.fours, serverErrors: o.fives, error: o.error)
                if s == held.count { held.append(floor) } else { held[s] += floor }
            }
        }
        // Parts that do not hold a key charge it their floor.
        union.slots.withUnsafeMutableBufferPointer { sl in
            for s in sl.indices {
                sl[s].count += floors - held[s]
                sl[s].error += floors - held[s]
            }
        }
        var kept = Array(union.slots.indices)
        // Exact only while every part is: a part that evicted bounds absent keys by its floor, which
        // only a sketch keeps as a bound.
        if union.slots.count > limit || floors > 0 { limit = capacity }
        if union.slots.count > limit {
            var largest = LargestCut(capacity, of: union.slots)
            kept = union.slots.indices.filter { largest.keeps(union.slots[$0].count) }
        }
        reserve(keys: kept.count, bytes: kept.reduce(0) { $0 + Int(union.slots[$1].keyLength) })
        union.arena.withUnsafeBytes { all in
            for s in kept {
                let k = union.slots[s]
                insert(UnsafeRawBufferPointer(rebasing: all[k.keyStart..<(k.keyStart + Int(k.keyLength))]), hash: k.hash,
                       weight: k.count, clientErrors: k.fours, serverErrors: k.fives, error: k.error)
            }
        }
    }

    /// Calls `body` with the key bytes and the slot of every key held, in slot order.
    func forEachKey(_ body: (UnsafeRawBufferPointer, Slot) -> Void) {
        arena.withUnsafeBytes { keys in
            for o in slots { body(UnsafeRawBufferPointer(rebasing: keys[o.keyStart..<(o.keyStart + Int(o.keyLength))]), o) }
        }
    }

    /// Room for `keys` keys of `bytes` bytes in all, in an empty sketch.
    mutating func reserve(keys: Int, bytes: Int) {
        let n = Swift.min(limit, keys)
        guard slots.isEmpty, n > 0 else { return }
        slots.reserveCapacity(n)
        heap.reserveCapacity(n)
        let size = Self.tableSize(for: n)
        if size > table.count { table = [Int32](repeating: -1, count: size) }
        if bytes > arena.count {
            // Room for keys, written before it is read: not zeroed first.
            let size = Swift.max(256, bytes)
            arena = [UInt8](unsafeUninitializedCapacity: size) { _, count in count = size }
        }
    }

    /// Which slots of a list are its `n` largest (fewer than it holds): those counting more than
    /// `cut`, and of those tied at `cut`, the first ones (`keeps`, asked in slot order).
    struct LargestCut {
        let cut: Int
        /// Slots at `cut` still to keep.
        var ties: Int

        init(_ n: Int, of slots: [Slot]) {
            var counts = slots.map(\.count)
            let cut = TopK.largest(n, of: &counts)
            self.cut = cut
            ties = n - slots.reduce(0) { $0 + ($1.count > cut ? 1 : 0) }
        }

        /// Whether the next slot, counting `count`, is kept.
        mutating func keeps(_ count: Int) -> Bool {
            if count > cut { return true }
            guard count == cut, ties > 0 else { return false }
            ties -= 1
            return true
        }
    }

    /// The `k`-th largest of `values` (1 ≤ k ≤ count), which are reordered: quickselect, O(count).
    static func largest(_ k: Int, of values: inout [Int]) -> Int {
        precondition(k >= 1 && k <= values.count)
        return values.withUnsafeMutableBufferPointer { v in
            // Position k - 1 when sorted in descending order.
            let target = k - 1
            var lo = 0, hi = v.count - 1
            while lo < hi {
                // Median of three as pivot (deterministic, and sorted input stays O(n)).
                let mid = lo + (hi - lo) / 2
                let a = v[lo], b = v[mid], c = v[hi]
                let pivot = max(min(a, b), min(max(a, b), c))
                var i = lo, j = hi
                while i <= j {
                    while v[i] > pivot { i += 1 }
                    while v[j] < pivot { j -= 1 }
                    if i <= j {
                        v.swapAt(i, j)
                        i += 1
                        j -= 1
                    }
                }
                // Now v[lo...j] >= pivot, v[i...hi] <= pivot, and v[j+1..<i] == pivot.
                if target <= j { hi = j } else if target >= i { lo = i } else { return v[target] }
            }
            return v[target]
        }
    }

    /// A power of two at least twice `keys`.
    static func tableSize(for keys: Int) -> Int {
        var size = 16
        while size < 2 * keys { size *= 2 }
        return size
    }

    /// The `n` largest entries, largest first (ties by key for stable output).
    public func top(_ n: Int) -> [TopEntry] {
        guard n > 0, !slots.isEmpty else { return [] }
        var order: [Int]
        if n >= slots.count {
            order = Array(slots.indices)
        } else {
            // Only keys at least as large as the n-th largest count can be among the n first.
            var counts = slots.map(\.count)
            let cut = Self.largest(n, of: &counts)
            order = slots.indices.filter { slots[$0].count >= cut }
        }
        let keys = order.map { key(ofSlot: $0) }
        var ranked = Array(order.indices)
        ranked.sort { a, b in
            let ca = slots[order[a]].count, cb = slots[order[b]].count
            return ca != cb ? ca > cb : keys[a] < keys[b]
        }
        return ranked.prefix(n).map {
            let s = slots[order[$0]]
            return TopEntry(key: keys[$0], count: s.count, error: s.error, clientErrors: s.fours, serverErrors: s.fives)
        }
    }

    /// Estimated count for `key` (the floor when it is not held).
    public func estimate(_ key: String) -> Int {
        var text = key
        let s = text.withUTF8 { u in
            let bytes = UnsafeRawBufferPointer(u)
            return lookup(bytes, hash: StableHash.hash(bytes: bytes))
        }
        return s >= 0 ? slots[s].count : floor
    }

    /// The key held in `slot`.
    func key(ofSlot slot: Int) -> String {
        let s = slots[slot]
        return arena.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[s.keyStart..<(s.keyStart + Int(s.keyLength))]), as: UTF8.self)
        }
    }
}

// MARK: - Restoring (AggregateCodec)

extension TopK {
    /// An empty sketch with `total` and `maxCount` as encoded, sized for `entries` keys, which
    /// `restore` then adds in slot order (see `AggregateCodec`).
    init(restoringCapacity capacity: Int, total: Int, maxCount: Int, entries: Int) {
        self.init(capacity: capacity)
        self.total = total
        self.maxCount = maxCount
        guard entries > 0 else { return }
        slots.reserveCapacity(entries)
        heap.reserveCapacity(entries)
        table = [Int32](repeating: -1, count: Self.tableSize(for: entries))
    }

    /// Appends `key` (whose `StableHash` is `hash`) as the next slot, with its counts as encoded;
    /// returns false, changing nothing, when the sketch is full or already holds the key.
    mutating func restore(_ key: UnsafeRawBufferPointer, hash: UInt64, count: Int, error: Int, clientErrors: Int,
                          serverErrors: Int) -> Bool {
        guard slots.count < capacity, lookup(key, hash: hash) < 0 else { return false }
        appendSlot(key, hash: hash, count: count, error: error, fours: clientErrors, fives: serverErrors)
        return true
    }

    /// Sets the min-heap of a full sketch to `order`, the slot numbers as `heap` held them when encoded
    /// (ties among the smallest counts are evicted in that order); returns false, changing nothing,
    /// unless `order` is a permutation of the slots in min-heap order.
    mutating func restoreHeap(_ order: [Int32]) -> Bool {
        guard isFull, order.count == slots.count else { return false }
        var seen = [Bool](repeating: false, count: order.count)
        for s in order {
            guard s >= 0, Int(s) < order.count, !seen[Int(s)] else { return false }
            seen[Int(s)] = true
        }
        for i in order.indices.dropFirst() where slots[Int(order[(i - 1) / 2])].count > slots[Int(order[i])].count {
            return false
        }
        heap = order
        for (i, s) in order.enumerated() { slots[Int(s)].heapPos = Int32(i) }
        return true
    }
}

extension TopK: Equatable {
    /// The same capacity, total and `maxCount`, and the same entries (key, count, error, 4xx and 5xx
    /// counts), in whatever slot order.
    public static func == (a: TopK, b: TopK) -> Bool {
        guard a.capacity == b.capacity, a.total == b.total, a.maxCount == b.maxCount, a.slots.count == b.slots.count else {
            return false
        }
        return a.arena.withUnsafeBytes { keys in
            a.slots.allSatisfy { s in
                let j = b.lookup(UnsafeRawBufferPointer(rebasing: keys[s.keyStart..<(s.keyStart + Int(s.keyLength))]), hash: s.hash)
                guard j >= 0 else { return false }
                let o = b.slots[j]
                return o.count == s.count && o.error == s.error && o.fours == s.fours && o.fives == s.fives
            }
        }
    }
}
