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
/// the reported `error`. A min-heap finds the entry to evict in O(log capacity).
public struct TopK: Sendable {
    public let capacity: Int
    public private(set) var total: Int = 0
    /// Largest count held: an upper bound of any key's count, kept without sorting.
    public private(set) var maxCount: Int = 0
    private var slotOf: [String: Int32] = [:]
    private var keys: [String] = []
    private var counts: [Int] = []
    private var errors: [Int] = []
    private var fours: [Int] = []
    private var fives: [Int] = []
    private var heap: [Int32] = []      // slots, min-heap by count
    private var heapPos: [Int32] = []   // slot → position in heap

    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    public var count: Int { keys.count }
    public var isFull: Bool { keys.count >= capacity }
    /// Smallest count held (0 when not full): the bound on any absent key's count.
    public var floor: Int { isFull ? counts[Int(heap[0])] : 0 }

    /// Count `key` `weight` times; `status` (if given) feeds the 4xx/5xx counts.
    @inlinable
    public mutating func add(_ key: String, weight: Int = 1, status: Int = 0) {
        add(key, weight: weight, clientErrors: status >= 400 && status < 500 ? weight : 0,
            serverErrors: status >= 500 && status < 600 ? weight : 0, error: 0)
    }

    /// Adds and returns the slot now holding `key`.
    @usableFromInline @discardableResult
    mutating func add(_ key: String, weight: Int, clientErrors: Int, serverErrors: Int, error: Int) -> Int {
        total += weight
        if let s = slotOf[key] {
            let slot = Int(s)
            counts[slot] += weight
            errors[slot] += error
            fours[slot] += clientErrors
            fives[slot] += serverErrors
            if counts[slot] > maxCount { maxCount = counts[slot] }
            siftDown(Int(heapPos[slot]))
            return slot
        }
        if keys.count < capacity {
            let slot = keys.count
            slotOf[key] = Int32(slot)
            keys.append(key)
            counts.append(weight)
            errors.append(error)
            fours.append(clientErrors)
            fives.append(serverErrors)
            heap.append(Int32(slot))
            heapPos.append(Int32(heap.count - 1))
            if weight > maxCount { maxCount = weight }
            siftUp(heap.count - 1)
            return slot
        }
        // Replace the minimum: the newcomer inherits its count as possible overestimate.
        let slot = Int(heap[0])
        let floorCount = counts[slot]
        slotOf.removeValue(forKey: keys[slot])
        slotOf[key] = Int32(slot)
        keys[slot] = key
        counts[slot] = floorCount + weight
        errors[slot] = floorCount + error
        fours[slot] = clientErrors
        fives[slot] = serverErrors
        if counts[slot] > maxCount { maxCount = counts[slot] }
        siftDown(0)
        return slot
    }

    /// Adds every entry of `other` (counts summed, errors widened), the mergeable-summary way.
    public mutating func merge(_ other: TopK) {
        if other.keys.isEmpty { total += other.total; return }
        let otherFloor = other.floor
        let mergedTotal = total + other.total
        var touched = [Bool](repeating: false, count: capacity)
        for i in other.keys.indices {
            let k = other.keys[i]
            // A key absent from this sketch while it is full may have had up to `floor` occurrences:
            // `add` replaces the minimum and inherits its count as overestimate, which covers that.
            let slot = add(k, weight: other.counts[i], clientErrors: other.fours[i], serverErrors: other.fives[i],
                           error: other.errors[i])
            touched[slot] = true
        }
        if otherFloor > 0 {
            for i in keys.indices where !touched[i] {
                counts[i] += otherFloor
                errors[i] += otherFloor
                if counts[i] > maxCount { maxCount = counts[i] }
            }
            rebuildHeap()
        }
        total = mergedTotal
    }

    /// The `n` largest entries, largest first (ties by key for stable output).
    public func top(_ n: Int) -> [TopEntry] {
        var order = Array(keys.indices)
        order.sort { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : keys[$0] < keys[$1] }
        return order.prefix(n).map {
            TopEntry(key: keys[$0], count: counts[$0], error: errors[$0], clientErrors: fours[$0], serverErrors: fives[$0])
        }
    }

    /// Estimated count for `key` (the floor when it is not held).
    public func estimate(_ key: String) -> Int {
        if let s = slotOf[key] { return counts[Int(s)] }
        return floor
    }

    // MARK: heap

    private mutating func rebuildHeap() {
        heap = keys.indices.map { Int32($0) }
        for i in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
        for (p, s) in heap.enumerated() { heapPos[Int(s)] = Int32(p) }
    }

    @usableFromInline
    mutating func siftDown(_ start: Int) {
        var i = start
        let n = heap.count
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            var m = l
            let r = l + 1
            if r < n, counts[Int(heap[r])] < counts[Int(heap[l])] { m = r }
            if counts[Int(heap[m])] >= counts[Int(heap[i])] { break }
            swapAt(i, m)
            i = m
        }
    }

    private mutating func siftUp(_ start: Int) {
        var i = start
        while i > 0 {
            let parent = (i - 1) / 2
            if counts[Int(heap[parent])] <= counts[Int(heap[i])] { break }
            swapAt(i, parent)
            i = parent
        }
    }

    @inline(__always)
    private mutating func swapAt(_ a: Int, _ b: Int) {
        heap.swapAt(a, b)
        heapPos[Int(heap[a])] = Int32(a)
        heapPos[Int(heap[b])] = Int32(b)
    }
}
