/// Distinct-count estimate with HyperLogLog (2^14 registers: 16 KiB, standard error 0.8 %).
/// Mergeable: the union of two streams is the register-wise maximum.
public struct HyperLogLog: Sendable, Equatable {
    public static let precision = 14
    static let registerCount = 1 << precision
    private(set) var registers: [UInt8]
    /// Exact count while few values have been seen (saves the 16 KiB for quiet seconds): the distinct
    /// hashes in an open-addressing table (linear probing on the hash's low bits, 0 = empty; the hash 0
    /// itself is kept in `smallHasZero`), `nil` once registers are used.
    private var small: [UInt64]? = []
    private var smallCount = 0
    private var smallHasZero = false
    static let smallLimit = 256
    static let smallTable = 512

    public init() { registers = [] }

    /// A sketch in register mode (see `AggregateCodec`): `registerCount` ranks, each at most `maxRank`.
    init(registers: [UInt8]) {
        self.registers = registers
        small = nil
    }

    /// The largest rank a register can hold.
    static let maxRank = UInt8(64 - precision + 1)

    /// The hashes held exactly, `nil` once registers are used (see `AggregateCodec`).
    var exactHashes: [UInt64]? { small == nil ? nil : smallValues }

    public static func == (a: HyperLogLog, b: HyperLogLog) -> Bool {
        if a.small != nil || b.small != nil {
            return a.small != nil && b.small != nil && Set(a.smallValues) == Set(b.smallValues)
        }
        return a.registers == b.registers
    }

    public var isEmpty: Bool { registers.isEmpty && smallCount == 0 }

    /// Empties it (exact mode again), keeping the exact set's table.
    mutating func clear() {
        registers = []
        if small == nil { small = [] } else if smallCount > 0 { small!.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
        smallCount = 0
        smallHasZero = false
    }

    public mutating func insert(_ text: String) { insert(hash: StableHash.hash(text)) }

    public mutating func insert(hash h: UInt64) {
        if small != nil {
            if insertSmall(h), smallCount > Self.smallLimit { promote() }
            return
        }
        setRegister(h)
    }

    /// Adds `h` to the exact set; returns whether it was new.
    private mutating func insertSmall(_ h: UInt64) -> Bool {
        if h == 0 {
            if smallHasZero { return false }
            smallHasZero = true
            smallCount += 1
            return true
        }
        if small!.isEmpty { small = [UInt64](repeating: 0, count: Self.smallTable) }
        let inserted = small!.withUnsafeMutableBufferPointer { t -> Bool in
            let mask = t.count - 1
            var i = Int(truncatingIfNeeded: h) & mask
            while true {
                let v = t[i]
                if v == h { return false }
                if v == 0 { t[i] = h; return true }
                i = (i + 1) & mask
            }
        }
        if inserted { smallCount += 1 }
        return inserted
    }

    /// The hashes of the exact set.
    private var smallValues: [UInt64] {
        var out = (small ?? []).filter { $0 != 0 }
        if smallHasZero { out.append(0) }
        return out
    }

    private mutating func promote() {
        let values = smallValues
        small = nil
        smallCount = 0
        smallHasZero = false
        registers = [UInt8](repeating: 0, count: Self.registerCount)
        for v in values { setRegister(v) }
    }

    @inline(__always)
    private mutating func setRegister(_ h: UInt64) {
        registers.withUnsafeMutableBufferPointer { Self.setRegister(h, in: $0) }
    }

    @inline(__always)
    private static func setRegister(_ h: UInt64, in registers: UnsafeMutableBufferPointer<UInt8>) {
        let index = Int(h >> UInt64(64 - precision))
        let rest = (h << UInt64(precision)) | (1 << UInt64(precision - 1))
        let rank = UInt8(truncatingIfNeeded: rest.leadingZeroBitCount &+ 1)
        if registers[index] < rank { registers[index] = rank }
    }

    public mutating func merge(_ other: HyperLogLog) {
        if let values = other.small {
            if small == nil {
                // Into the registers, through one buffer (no uniqueness check per value).
                registers.withUnsafeMutableBufferPointer { r in
                    for v in values where v != 0 { Self.setRegister(v, in: r) }
                    if other.smallHasZero { Self.setRegister(0, in: r) }
                }
                return
            }
            // Straight from the other's table (no array of its values made).
            for v in values where v != 0 { insert(hash: v) }
            if other.smallHasZero { insert(hash: 0) }
            return
        }
        if small != nil {
            let mine = smallValues
            self = other
            for v in mine { insert(hash: v) }
            return
        }
        registers.withUnsafeMutableBufferPointer { r in
            other.registers.withUnsafeBufferPointer { o in
                for i in 0..<Self.registerCount where o[i] > r[i] { r[i] = o[i] }
            }
        }
    }

    /// Estimated number of distinct values: Ertl's improved raw estimator ("New cardinality
    /// estimation algorithms for HyperLogLog sketches", 2017), unbiased over the whole range without
    /// empirical bias tables.
    public var estimate: Int {
        if small != nil { return smallCount }
        let p = Self.precision
        let q = 64 - p
        let m = Double(Self.registerCount)
        var c = [Double](repeating: 0, count: q + 2)
        for r in registers { c[Int(r)] += 1 }
        var z = m * Self.tau(1 - c[q + 1] / m)
        for k in stride(from: q, through: 1, by: -1) { z = 0.5 * (z + c[k]) }
        z += m * Self.sigma(c[0] / m)
        let alphaInf = 0.721_347_520_444_481_7  // 1 / (2 ln 2)
        return Int((alphaInf * m * m / z).rounded())
    }

    static func sigma(_ x0: Double) -> Double {
        if x0 == 1 { return .infinity }
        var x = x0, y = 1.0, z = x0
        while true {
            x *= x
            let old = z
            z += x * y
            y += y
            if z == old { return z }
        }
    }

    static func tau(_ x0: Double) -> Double {
        if x0 == 0 || x0 == 1 { return 0 }
        var x = x0, y = 1.0, z = 1 - x0
        while true {
            x = x.squareRoot()
            let old = z
            y *= 0.5
            z -= (1 - x) * (1 - x) * y
            if z == old { return z / 3 }
        }
    }
}
