/// The slots of a `TopK`: finding a key, counting it, inserting and evicting, and the arena that holds
/// the keys' bytes.
extension TopK {
    /// The slot holding `key`, or -1.
    @inline(__always)
    func lookup(_ key: UnsafeRawBufferPointer, hash: UInt64) -> Int {
        if table.isEmpty { return -1 }
        return table.withUnsafeBufferPointer { t in
            slots.withUnsafeBufferPointer { sl in
                arena.withUnsafeBytes { keys in
                    let mask = t.count - 1
                    var i = Int(truncatingIfNeeded: hash) & mask
                    while true {
                        let s = Int(t[i])
                        if s < 0 { return -1 }
                        if sl[s].hash == hash, Int(sl[s].keyLength) == key.count,
                           key.isEmpty || Self.sameBytes(keys.baseAddress.unsafelyUnwrapped + sl[s].keyStart, key) {
                            return s
                        }
                        i = (i + 1) & mask
                    }
                }
            }
        }
    }

    /// `merge` when nothing is evicted nor charged: `other` holds exact counts (floor 0) and this list
    /// has room for all of its keys. Storage grows once; every key of `other` is looked up through
    /// pointers, the keys held are counted in place, and the new ones appended after (they are
    /// distinct: no second lookup). What a second's bucket does into its interval every second.
    mutating func mergeWithRoom(_ other: TopK) {
        let upTo = slots.count + other.slots.count
        if upTo > slots.capacity {
            let room = Swift.min(limit, Swift.max(upTo, 2 * slots.count))
            slots.reserveCapacity(room)
            heap.reserveCapacity(room)
        }
        if upTo * 2 > table.count { growTable(toHold: upTo) }
        growArena(toHold: arenaUsed + other.arenaUsed)
        // The keys of `other` not held here (their slot numbers there), on the stack when few.
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: other.slots.count) { fresh in
            var freshCount = 0
            var most = maxCount
            table.withUnsafeBufferPointer { t in
                slots.withUnsafeMutableBufferPointer { sl in
                    arena.withUnsafeBytes { keys in
                        other.slots.withUnsafeBufferPointer { os in
                            other.arena.withUnsafeBytes { otherKeys in
                                let mask = t.count &- 1
                                let base = keys.baseAddress.unsafelyUnwrapped
                                let otherBase = otherKeys.baseAddress.unsafelyUnwrapped
                                for j in os.indices {
                                    let o = os[j]
                                    var i = Int(truncatingIfNeeded: o.hash) & mask
                                    while true {
                                        let s = Int(t[i])
                                        if s < 0 {
                                            fresh[freshCount] = Int32(truncatingIfNeeded: j)
                                            freshCount &+= 1
                                            break
                                        }
                                        if sl[s].hash == o.hash, sl[s].keyLength == o.keyLength,
                                           o.keyLength == 0 || Self.sameBytes(base + sl[s].keyStart,
                                                                              UnsafeRawBufferPointer(start: otherBase + o.keyStart, count: Int(o.keyLength))) {
                                            sl[s].count &+= o.count
                                            sl[s].error &+= o.error
                                            sl[s].fours &+= o.fours
                                            sl[s].fives &+= o.fives
                                            if sl[s].count > most { most = sl[s].count }
                                            break
                                        }
                                        i = (i &+ 1) & mask
                                    }
                                }
                            }
                        }
                    }
                }
            }
            maxCount = most
            if freshCount > 0 {
                other.arena.withUnsafeBytes { otherKeys in
                    for j in fresh[0..<freshCount] {
                        let o = other.slots[Int(j)]
                        appendSlot(UnsafeRawBufferPointer(rebasing: otherKeys[o.keyStart..<(o.keyStart + Int(o.keyLength))]), hash: o.hash,
                                   count: o.count, error: o.error, fours: o.fours, fives: o.fives)
                        if o.count > maxCount { maxCount = o.count }
                    }
                }
                if limit == capacity && slots.count == capacity { buildHeap() }
            }
        }
        total += other.total
    }

    @inline(__always)
    mutating func bump(_ s: Int, weight: Int, error: Int, fours: Int, fives: Int) {
        let c = slots.withUnsafeMutableBufferPointer { sl in
            sl[s].count += weight
            sl[s].error += error
            sl[s].fours += fours
            sl[s].fives += fives
            return sl[s].count
        }
        if c > maxCount { maxCount = c }
        if isFull { siftDown(Int(slots[s].heapPos)) }
    }

    /// Puts a key that is not held into the sketch (replacing the minimum when full); returns its slot.
    @discardableResult
    mutating func insert(_ key: UnsafeRawBufferPointer, hash: UInt64, weight: Int, clientErrors: Int, serverErrors: Int,
                         error: Int) -> Int {
        if slots.count < limit {
            let slot = appendSlot(key, hash: hash, count: weight, error: error, fours: clientErrors, fives: serverErrors)
            if weight > maxCount { maxCount = weight }
            if slots.count == capacity && limit == capacity { buildHeap() }
            return slot
        }
        if limit > capacity { becomeSketch() }
        // Replace the minimum: the newcomer inherits its count as possible overestimate.
        let slot = Int(heap[0])
        tableRemove(slot)
        storeKey(key, in: slot)
        let floorCount = slots[slot].count
        slots[slot].hash = hash
        slots[slot].count = floorCount + weight
        slots[slot].error = floorCount + error
        slots[slot].fours = clientErrors
        slots[slot].fives = serverErrors
        tablePut(slot, hash: hash)
        if slots[slot].count > maxCount { maxCount = slots[slot].count }
        siftDown(0)
        return slot
    }

    /// Past `exactKeys` keys: keeps the `capacity` largest (their counts exact, ties: the first held)
    /// as a full sketch, whose smallest count bounds every key left out.
    mutating func becomeSketch() {
        var sketch = TopK(merging: [self], capacity: capacity)
        sketch.exactKeys = exactKeys
        self = sketch
    }

    /// Stops counting exactly (a second's list once the second is final): from now on a sketch of
    /// `capacity` keys, keeping the `capacity` largest (their counts exact, ties: the first held); the
    /// smallest kept bounds every key left out, as `becomeSketch` leaves it. A list of more than twice
    /// `capacity` keys is copied into storage for `capacity` (what it grew to is not kept); a smaller
    /// one is cut down in place.
    mutating func endExactCounting() {
        guard limit > capacity else { return }
        exactKeys = capacity
        limit = capacity
        guard slots.count >= capacity else { return }
        if slots.count > capacity {
            var largest = LargestCut(capacity, of: slots)
            if slots.count > 2 * capacity {
                var cut = TopK(capacity: capacity)
                cut.reserve(keys: capacity, bytes: (arenaUsed - garbage) / slots.count * capacity + 64)
                forEachKey { key, slot in
                    guard largest.keeps(slot.count) else { return }
                    cut.appendSlot(key, hash: slot.hash, count: slot.count, error: slot.error, fours: slot.fours, fives: slot.fives)
                }
                cut.total = total
                cut.maxCount = maxCount
                self = cut
            } else {
                var n = 0
                for s in slots.indices {
                    let slot = slots[s]
                    guard largest.keeps(slot.count) else {
                        garbage += Int(slot.keyRoom)
                        continue
                    }
                    slots[n] = slot
                    slots[n].heapPos = Int32(n)
                    n += 1
                }
                slots.removeLast(slots.count - n)
                heap.removeLast(heap.count - n)
                for i in heap.indices { heap[i] = Int32(i) }
                table.withUnsafeMutableBufferPointer { $0.update(repeating: -1) }
                for s in slots.indices { tablePut(s, hash: slots[s].hash) }
                if garbage > 1024 && garbage * 2 > arenaUsed { compactArena() }
            }
        }
        buildHeap()
    }

    /// Adds `key`, which is not held, as a new slot (the sketch is not full) and returns it. Storage
    /// grows by doubling but never past `capacity` slots: a large sketch (the exact lists of a report)
    /// does not hold room for twice its keys once it is full.
    @discardableResult
    mutating func appendSlot(_ key: UnsafeRawBufferPointer, hash: UInt64, count: Int, error: Int, fours: Int,
                                     fives: Int) -> Int {
        let slot = slots.count
        if slot == slots.capacity {
            let room = Swift.min(limit, Swift.max(16, 2 * slot))
            slots.reserveCapacity(room)
            heap.reserveCapacity(room)
        }
        if (slot + 1) * 2 > table.count { growTable() }
        let start = appendKey(key)
        slots.append(Slot(hash: hash, count: count, error: error, fours: fours, fives: fives,
                          keyStart: start, keyLength: Int32(key.count), keyRoom: Int32(key.count), heapPos: Int32(slot)))
        heap.append(Int32(slot))
        tablePut(slot, hash: hash)
        return slot
    }

    /// Writes `key` as the key of `slot`: in its room when it fits, else at the end of the arena.
    mutating func storeKey(_ key: UnsafeRawBufferPointer, in slot: Int) {
        let n = key.count
        if n <= Int(slots[slot].keyRoom) {
            let start = slots[slot].keyStart
            if n > 0 {
                arena.withUnsafeMutableBytes { $0.baseAddress.unsafelyUnwrapped.advanced(by: start).copyMemory(from: key.baseAddress.unsafelyUnwrapped, byteCount: n) }
            }
            slots[slot].keyLength = Int32(n)
            return
        }
        garbage += Int(slots[slot].keyRoom)
        slots[slot].keyStart = appendKey(key)
        slots[slot].keyLength = Int32(n)
        slots[slot].keyRoom = Int32(n)
        if garbage > 1024 && garbage * 2 > arenaUsed { compactArena() }
    }

    /// Copies `key` to the end of the arena; returns where it starts.
    mutating func appendKey(_ key: UnsafeRawBufferPointer) -> Int {
        let start = arenaUsed
        let n = key.count
        growArena(toHold: start + n)
        if n > 0 {
            arena.withUnsafeMutableBytes {
                $0.baseAddress.unsafelyUnwrapped.advanced(by: start).copyMemory(from: key.baseAddress.unsafelyUnwrapped, byteCount: n)
            }
        }
        arenaUsed = start + n
        return start
    }

    /// Room for `bytes` bytes of keys in the arena (doubling it as often as needed).
    @inline(__always)
    mutating func growArena(toHold bytes: Int) {
        guard bytes > arena.count else { return }
        var size = Swift.max(256, arena.count * 2)
        while size < bytes { size *= 2 }
        arena.append(contentsOf: repeatElement(0, count: size - arena.count))
    }

    /// Copies the keys into a new arena without the bytes of evicted keys.
    mutating func compactArena() {
        let old = arena
        arena = []
        arenaUsed = 0
        garbage = 0
        old.withUnsafeBytes { bytes in
            for i in slots.indices {
                let s = slots[i]
                slots[i].keyStart = appendKey(UnsafeRawBufferPointer(rebasing: bytes[s.keyStart..<(s.keyStart + Int(s.keyLength))]))
                slots[i].keyRoom = s.keyLength
            }
        }
    }

    /// Whether the `b.count` bytes at `a` equal `b`: words, the last one overlapping the one before.
    @inline(__always)
    static func sameBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        let n = b.count
        let pb = UnsafeRawPointer(b.baseAddress.unsafelyUnwrapped)
        if n >= 8 {
            var i = 0
            let last = n &- 8
            while i < last {
                if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != pb.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
                i &+= 8
            }
            return a.loadUnaligned(fromByteOffset: last, as: UInt64.self) == pb.loadUnaligned(fromByteOffset: last, as: UInt64.self)
        }
        if n >= 4 {
            return a.loadUnaligned(as: UInt32.self) == pb.loadUnaligned(as: UInt32.self)
                && a.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self) == pb.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)
        }
        var i = 0
        while i < n {
            if a.load(fromByteOffset: i, as: UInt8.self) != pb.load(fromByteOffset: i, as: UInt8.self) { return false }
            i &+= 1
        }
        return true
    }
}
