/// Decides how many synthetic lines are due, given an injected monotonic clock.
///
/// Call ``due(nowNanos:scenario:)`` on every tick (any period up to a second; 10–100 ms
/// gives smooth traffic) and emit that many lines. Over time the count follows
/// ``rate`` × a slowly varying noise factor (±15 %, new random target every 5 s, linear
/// in between) × the scenario's ``TrafficScenario/rateMultiplier``, plus
/// ``TrafficScenario/injectedRatio`` extra lines per background line, which ``TrafficModel``
/// turns into the attacker's lines. Fractions carry over between ticks, so no line is lost to
/// rounding.
///
/// There is never a catch-up burst: the first tick only sets the origin, a pause or a
/// `drop` scenario discards the time spent in it, a gap between ticks counts for at most
/// one second, and a clock going backwards yields 0.
public struct TrafficPacer: Sendable {
    /// Target background rate in lines per second; may change at any time.
    public var rate: Double
    /// While `true`, nothing is due; resuming starts afresh from the next tick.
    public var paused = false {
        didSet { if paused != oldValue { lastNanos = nil; credit = 0 } }
    }
    /// Amplitude of the slowly varying noise, as a fraction of ``rate``.
    public var jitter = 0.15

    private var rng: SplitMix64
    private var lastNanos: UInt64?
    private var credit = 0.0
    private var knotNanos: UInt64 = 0
    private var knotFrom = 1.0, knotTo = 1.0

    static let knotSpacing: UInt64 = 5_000_000_000
    static let maxGap: UInt64 = 1_000_000_000

    /// A pacer targeting `rate` lines per second; `seed` fixes the noise.
    public init(rate: Double, seed: UInt64) {
        self.rate = rate
        self.rng = SplitMix64(seed: seed)
    }

    /// How many lines to emit now, background and injected together.
    public mutating func due(nowNanos: UInt64, scenario: TrafficScenario?) -> Int {
        guard let last = lastNanos else {
            lastNanos = nowNanos
            knotNanos = nowNanos
            knotFrom = drawKnot()
            knotTo = drawKnot()
            return 0
        }
        guard nowNanos > last else { return 0 }
        lastNanos = nowNanos
        let multiplier = scenario?.rateMultiplier ?? 1
        guard !paused, multiplier > 0 else { credit = 0; return 0 }
        let background = max(0, rate) * noise(at: nowNanos) * multiplier
        let perSecond = background + (scenario?.injectedRate(background: background) ?? 0)
        credit += perSecond * Double(min(nowNanos - last, Self.maxGap)) / 1e9
        let n = Int(credit)
        credit -= Double(n)
        return n
    }

    private mutating func drawKnot() -> Double { 1 + jitter * (2 * rng.unit() - 1) }

    /// The noise factor at `now`, linear between knots `knotSpacing` apart.
    private mutating func noise(at now: UInt64) -> Double {
        if now - knotNanos >= 4 * Self.knotSpacing {  // long gap: start a fresh segment
            knotNanos = now
            knotFrom = drawKnot()
        }
        while now - knotNanos >= Self.knotSpacing {
            knotNanos += Self.knotSpacing
            knotFrom = knotTo
            knotTo = drawKnot()
        }
        let t = Double(now - knotNanos) / Double(Self.knotSpacing)
        return knotFrom + (knotTo - knotFrom) * t
    }
}
