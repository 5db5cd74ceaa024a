/// The engine's per-second aggregates, by second of event time.
///
/// A hash table keyed by the second itself (open addressing, linear probing, backward-shift deletion,
/// at most half full): the seconds kept are a short run of consecutive numbers, so taking them modulo
/// the table size spreads them without collisions and without hashing. Buckets are read in place
/// (`read`), not copied out with their two dozen buffers retained and released the way a
/// `Dictionary` lookup returns them.
struct SecondBuckets {
    private var times: [Int64] = []
    private var used: [Bool] = []
    /// Unused entries hold an empty aggregate (which allocates nothing).
    private var values: [TrafficAggregate] = []
    /// Whether the entry holds records its report interval has not counted yet (see
    /// `AnalysisEngine.settle`).
    private var pending: [Bool] = []
    private(set) var count = 0
    /// The aggregate of the last second removed, for the next second added (`takeSpare`): a new second
    /// clears it and reuses its storage instead of allocating its lists anew.
    private var spare: TrafficAggregate?

    /// `body` applied to the aggregate of second `t` (in place: read through `pointee`, which copies
    /// nothing), `nil` when there is none.
    @inline(__always)
    func read<R>(_ t: Int64, _ body: (UnsafePointer<TrafficAggregate>) -> R) -> R? {
        let i = index(of: t)
        guard i >= 0 else { return nil }
        return values.withUnsafeBufferPointer { body($0.baseAddress.unsafelyUnwrapped + i) }
    }

    func contains(_ t: Int64) -> Bool { index(of: t) >= 0 }

    /// The aggregate of second `t`, which must be held, to change in place.
    @inline(__always)
    mutating func modify<R>(_ t: Int64, _ body: (inout TrafficAggregate) -> R) -> R {
        let i = index(of: t)
        precondition(i >= 0)
        return body(&values[i])
    }

    /// Adds `value` as the aggregate of second `t`, which must not be held yet.
    mutating func add(_ t: Int64, _ value: TrafficAggregate, pending: Bool = false) {
        precondition(index(of: t) < 0)
        self.pending[insert(t, value)] = pending
    }

    /// `body` applied in place to the aggregate of second `t` when it is pending, and `true`; `false`
    /// when second `t`'s bucket is not pending, `nil` when it has none (`body` not called).
    @inline(__always)
    mutating func modifyPending(_ t: Int64, _ body: (inout TrafficAggregate) -> Void) -> Bool? {
        let i = index(of: t)
        guard i >= 0 else { return nil }
        guard pending[i] else { return false }
        body(&values[i])
        return true
    }

    /// Whether second `t` has a pending bucket.
    func isPending(_ t: Int64) -> Bool {
        let i = index(of: t)
        return i >= 0 && pending[i]
    }

    /// The aggregate of second `t`, when it is pending, which it no longer is.
    mutating func unmarkPending(_ t: Int64) -> TrafficAggregate? {
        let i = index(of: t)
        guard i >= 0, pending[i] else { return nil }
        pending[i] = false
        return values[i]
    }

    /// The seconds held whose bucket is pending, ascending.
    var pendingKeys: [Int64] {
        var out: [Int64] = []
        for i in times.indices where used[i] && pending[i] { out.append(times[i]) }
        return out.sorted()
    }

    /// The earliest second before `end` whose bucket is pending (no array made: what the engine
    /// asks every second).
    func firstPending(before end: Int64) -> Int64? {
        earliest { pending[$0] && times[$0] < end }
    }

    /// The earliest second held.
    var firstKey: Int64? { earliest { _ in true } }

    /// The earliest second held whose entry satisfies `include` (a scan of the table: no array made).
    private func earliest(_ include: (Int) -> Bool) -> Int64? {
        var first: Int64?
        for i in times.indices where used[i] && times[i] < (first ?? .max) && include(i) { first = times[i] }
        return first
    }

    /// Removes every second before `end`.
    mutating func removeAll(before end: Int64) {
        while let t = firstKey, t < end { removeValue(forKey: t) }
    }

    /// The aggregate of the second removed last, if any, whose storage a new second may reuse once
    /// cleared (`TrafficAggregate.clear`).
    mutating func takeSpare() -> TrafficAggregate? {
        defer { spare = nil }
        return spare
    }

    /// The seconds held, in no particular order.
    var keys: [Int64] {
        var out: [Int64] = []
        out.reserveCapacity(count)
        for i in times.indices where used[i] { out.append(times[i]) }
        return out
    }

    mutating func removeValue(forKey t: Int64) {
        var hole = index(of: t)
        guard hole >= 0 else { return }
        let mask = times.count - 1
        var j = hole
        while true {
            j = (j + 1) & mask
            guard used[j] else { break }
            let ideal = Int(truncatingIfNeeded: times[j]) & mask
            // Move j into the hole unless its ideal position lies cyclically in (hole, j].
            if (j &- ideal) & mask >= (j &- hole) & mask {
                times[hole] = times[j]
                pending[hole] = pending[j]
                values.swapAt(hole, j)
                hole = j
            }
        }
        used[hole] = false
        pending[hole] = false
        var removed = Self.empty
        swap(&removed, &values[hole])
        spare = removed
        count -= 1
    }

    @inline(__always)
    private func index(of t: Int64) -> Int {
        guard count > 0 else { return -1 }
        let mask = times.count - 1
        var i = Int(truncatingIfNeeded: t) & mask
        while true {
            if !used[i] { return -1 }
            if times[i] == t { return i }
            i = (i + 1) & mask
        }
    }

    private mutating func insert(_ t: Int64, _ value: TrafficAggregate) -> Int {
        if (count + 1) * 2 > times.count { grow() }
        let mask = times.count - 1
        var i = Int(truncatingIfNeeded: t) & mask
        while used[i] { i = (i + 1) & mask }
        times[i] = t
        used[i] = true
        values[i] = value
        count += 1
        return i
    }

    private mutating func grow() {
        let oldTimes = times, oldUsed = used, oldValues = values, oldPending = pending
        let size = Swift.max(16, times.count * 2)
        times = [Int64](repeating: 0, count: size)
        used = [Bool](repeating: false, count: size)
        pending = [Bool](repeating: false, count: size)
        values = [TrafficAggregate](repeating: Self.empty, count: size)
        count = 0
        for i in oldTimes.indices where oldUsed[i] { pending[insert(oldTimes[i], oldValues[i])] = oldPending[i] }
    }

    private static let empty = TrafficAggregate(capacity: 1)
}
