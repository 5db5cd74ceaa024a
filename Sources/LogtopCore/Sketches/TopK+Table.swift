/// The open-addressing table from a key's hash to its slot (no tombstones).
extension TopK {
    /// A larger table, for at least `keys` keys (one more than held, by default).
    mutating func growTable(toHold keys: Int? = nil) {
        var size = Swift.max(16, table.count * 2)
        while size < (keys ?? slots.count + 1) * 2 { size *= 2 }
        table = [Int32](repeating: -1, count: size)
        for s in slots.indices { tablePut(s, hash: slots[s].hash) }
    }

    mutating func tablePut(_ slot: Int, hash: UInt64) {
        table.withUnsafeMutableBufferPointer { t in
            let mask = t.count - 1
            var i = Int(truncatingIfNeeded: hash) & mask
            while t[i] >= 0 { i = (i + 1) & mask }
            t[i] = Int32(slot)
        }
    }

    /// Removes `slot` from the table, shifting back the entries after it (no tombstones).
    mutating func tableRemove(_ slot: Int) {
        let hash = slots[slot].hash
        slots.withUnsafeBufferPointer { sl in
            table.withUnsafeMutableBufferPointer { t in
                let mask = t.count - 1
                var hole = Int(truncatingIfNeeded: hash) & mask
                while Int(t[hole]) != slot { hole = (hole + 1) & mask }
                var j = hole
                while true {
                    j = (j + 1) & mask
                    let s = Int(t[j])
                    if s < 0 { break }
                    let ideal = Int(truncatingIfNeeded: sl[s].hash) & mask
                    // Move s into the hole unless its ideal position lies cyclically in (hole, j].
                    if (j &- ideal) & mask >= (j &- hole) & mask {
                        t[hole] = Int32(s)
                        hole = j
                    }
                }
                t[hole] = -1
            }
        }
    }
}
