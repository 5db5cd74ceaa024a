/// The min-heap of slots by count that a full sketch evicts from.
extension TopK {
    /// Orders `heap` (slot `i` at position `i` until now) into a min-heap: when the sketch fills up.
    mutating func buildHeap() {
        for i in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
    }

    /// Restores the heap below position `start` after its count grew.
    mutating func siftDown(_ start: Int) {
        heap.withUnsafeMutableBufferPointer { h in
            slots.withUnsafeMutableBufferPointer { sl in
                let n = h.count
                let moving = h[start]
                let c = sl[Int(moving)].count
                var i = start
                while true {
                    let l = 2 * i + 1
                    if l >= n { break }
                    var m = l
                    var mc = sl[Int(h[l])].count
                    if l + 1 < n {
                        let rc = sl[Int(h[l + 1])].count
                        if rc < mc { m = l + 1; mc = rc }
                    }
                    if mc >= c { break }
                    h[i] = h[m]
                    sl[Int(h[i])].heapPos = Int32(i)
                    i = m
                }
                h[i] = moving
                sl[Int(moving)].heapPos = Int32(i)
            }
        }
    }

    /// Restores the heap above position `start` after its count shrank (or was appended).
    mutating func siftUp(_ start: Int) {
        heap.withUnsafeMutableBufferPointer { h in
            slots.withUnsafeMutableBufferPointer { sl in
                let moving = h[start]
                let c = sl[Int(moving)].count
                var i = start
                while i > 0 {
                    let parent = (i - 1) / 2
                    if sl[Int(h[parent])].count <= c { break }
                    h[i] = h[parent]
                    sl[Int(h[i])].heapPos = Int32(i)
                    i = parent
                }
                h[i] = moving
                sl[Int(moving)].heapPos = Int32(i)
            }
        }
    }
}
