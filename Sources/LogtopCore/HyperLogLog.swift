/// Distinct-count estimate with HyperLogLog (2^14 registers: 16 KiB, standard error 0.8 %).
/// Mergeable: the union of two streams is the register-wise maximum.
public struct HyperLogLog: Sendable, Equatable {
    public static let precision = 14
    static let registerCount = 1 << precision
    private(set) var registers: [UInt8]
    /// Exact count while few values have been seen (saves the 16 KiB for quiet seconds).
    private var small: Set<UInt64>? = []
    static let smallLimit = 256

    public init() { registers = [] }

    public var isEmpty: Bool { registers.isEmpty && (small?.isEmpty ?? true) }

    public mutating func insert(_ text: String) { insert(hash: StableHash.hash(text)) }

    public mutating func insert(hash h: UInt64) {
        if small != nil {
            small!.insert(h)
            if small!.count <= Self.smallLimit { return }
            let values = small!
            small = nil
            registers = [UInt8](repeating: 0, count: Self.registerCount)
            for v in values { setRegister(v) }
            return
        }
        setRegister(h)
    }

    @inline(__always)
    private mutating func setRegister(_ h: UInt64) {
        let index = Int(h >> UInt64(64 - Self.precision))
        let rest = (h << UInt64(Self.precision)) | (1 << UInt64(Self.precision - 1))
        let rank = UInt8(rest.leadingZeroBitCount + 1)
        if registers[index] < rank { registers[index] = rank }
    }

    public mutating func merge(_ other: HyperLogLog) {
        if let os = other.small {
            for v in os { insert(hash: v) }
            return
        }
        if small != nil {
            let mine = small!
            self = other
            for v in mine { insert(hash: v) }
            return
        }
        for i in 0..<Self.registerCount where other.registers[i] > registers[i] { registers[i] = other.registers[i] }
    }

    /// Estimated number of distinct values: Ertl's improved raw estimator ("New cardinality
    /// estimation algorithms for HyperLogLog sketches", 2017), unbiased over the whole range without
    /// empirical bias tables.
    public var estimate: Int {
        if let small { return small.count }
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
