/// The kinds of alert logtop evaluates.
public enum AlertKind: String, Sendable, CaseIterable, Codable {
    /// Share of 5xx responses, in percent.
    case errorRate = "error_rate"
    /// Absolute request rate, req/s: a capacity limit, the only rule not relative to the traffic.
    case rateHigh = "rate_high"
    /// Request rate against the recent baseline (ratio, e.g. 3 = three times the baseline).
    case rateSpike = "rate_spike"
    /// Traffic vanished: request rate as a fraction of the recent baseline.
    case rateDrop = "rate_drop"
    /// The busiest client's share of requests, in percent (with a floor on its own requests).
    case clientFlood = "client_flood"
    /// 404 responses as a share of requests, in percent (with a floor on the 404s): scanning.
    case notFoundSurge = "not_found_surge"
    /// 95th percentile of request time, ms.
    case latencyP95 = "latency_p95"
}

/// An alert rule: fires when its value crosses `threshold` for `forSeconds` consecutive seconds, with at
/// least `minVolume` in the window (what is counted depends on the rule: see `minVolume`); resolves when
/// the value is back past the hysteresis bound (`threshold × resolveRatio` for rules that fire above,
/// `threshold ÷ resolveRatio` for `rate_drop`) for `forSeconds` consecutive seconds.
///
/// Every rule but `rate_high` means "abnormal for this traffic", whatever its rate: a share of the
/// requests (`error_rate`, `client_flood`, `not_found_surge`), a multiple of the recent baseline
/// (`rate_spike`, `rate_drop`) or a latency (`latency_p95`, which does not grow with the rate), with an
/// absolute floor (`minVolume`) so that a handful of requests on a quiet site cannot fire it. With the
/// defaults, normal generated traffic at any rate from 50 to 10,000 lines/s fires none of them, and each
/// generator scenario fires its own (see docs/alerts.md). `rate_high` is absolute by nature: a capacity
/// limit (`isCapacityLimit`).
public struct AlertRule: Sendable, Equatable {
    public var kind: AlertKind
    public var threshold: Double
    /// Seconds of traffic the value is computed over.
    public var window: Int
    /// The absolute floor: what the window must hold before the rule says anything. Requests in the
    /// window for `error_rate`, `rate_high` and `rate_spike`; requests in the baseline for `rate_drop`
    /// (and `rate_spike`); timed requests for `latency_p95`; the busiest client's own requests for
    /// `client_flood`; 404 responses for `not_found_surge`.
    public var minVolume: Int
    public var forSeconds: Int
    public var resolveRatio: Double
    /// Seconds before the window that form the baseline (spike and drop only).
    public var baseline: Int
    public var enabled: Bool

    public init(kind: AlertKind, threshold: Double, window: Int, minVolume: Int, forSeconds: Int,
                resolveRatio: Double = 0.8, baseline: Int = 0, enabled: Bool = true) {
        self.kind = kind
        self.threshold = threshold
        self.window = max(1, window)
        self.minVolume = max(0, minVolume)
        self.forSeconds = max(0, forSeconds)
        self.resolveRatio = resolveRatio
        self.baseline = max(0, baseline)
        self.enabled = enabled
    }

    /// True when the rule fires on high values, false when it fires on low ones (`rate_drop`).
    public var firesAbove: Bool { kind != .rateDrop }

    /// True for `rate_high`: its threshold is an absolute request rate, a capacity limit to set to the
    /// site's own, not a measure of "abnormal for this traffic" (the dashboard and help say so).
    public var isCapacityLimit: Bool { kind == .rateHigh }

    /// Unit of `threshold` and of event values.
    public var unit: String {
        switch kind {
        case .errorRate, .clientFlood, .notFoundSurge: return "%"
        case .rateHigh: return "req/s"
        case .rateSpike, .rateDrop: return "x baseline"
        case .latencyP95: return "ms"
        }
    }

    /// A sensible step for raising or lowering the threshold interactively.
    public var step: Double {
        switch kind {
        case .errorRate, .notFoundSurge: return 1
        case .rateHigh: return 1000
        case .rateSpike: return 0.5
        case .rateDrop: return 0.05
        case .clientFlood: return 5
        case .latencyP95: return 100
        }
    }

    /// Smallest threshold that makes sense.
    public var minimumThreshold: Double {
        switch kind {
        case .rateSpike: return 1.1
        case .rateDrop: return 0.01
        case .errorRate: return 0.1
        case .rateHigh, .clientFlood, .notFoundSurge, .latencyP95: return 1
        }
    }

    /// What the rule watches, for help screens and the README.
    public var summary: String {
        switch kind {
        case .errorRate: return "5xx share of requests over \(window) s"
        case .rateHigh: return "request rate over \(window) s, absolute (a capacity limit: set it to yours)"
        case .rateSpike: return "request rate over \(window) s vs the \(baseline) s before"
        case .rateDrop: return "request rate over \(window) s as a fraction of the \(baseline) s before"
        case .clientFlood:
            return "busiest client's share of requests over \(window) s (if it sent \(Format.number(floorRate)) req/s or more)"
        case .notFoundSurge:
            return "404 share of requests over \(window) s (if \(Format.number(floorRate)) 404/s or more)"
        case .latencyP95: return "95th percentile request time over \(window) s"
        }
    }

    /// `minVolume` per second of the window: the absolute floor of `client_flood` (req/s from the
    /// client) and `not_found_surge` (404/s).
    public var floorRate: Double { Double(minVolume) / Double(window) }

    /// The defaults: quiet on normal traffic at any rate from 50 to 10,000 lines/s, and each generator
    /// scenario fires its own rule at those rates (docs/alerts.md says why each number is what it is).
    /// Only `rate_high` is absolute: 10,000 req/s, to be set to the site's capacity.
    public static let defaults: [AlertRule] = [
        AlertRule(kind: .errorRate, threshold: 5, window: 30, minVolume: 20, forSeconds: 5),
        AlertRule(kind: .rateHigh, threshold: 10_000, window: 10, minVolume: 0, forSeconds: 5),
        AlertRule(kind: .rateSpike, threshold: 3, window: 10, minVolume: 50, forSeconds: 3, baseline: 60),
        AlertRule(kind: .rateDrop, threshold: 0.2, window: 10, minVolume: 60, forSeconds: 5, resolveRatio: 0.5, baseline: 60),
        AlertRule(kind: .clientFlood, threshold: 30, window: 10, minVolume: 100, forSeconds: 5),
        AlertRule(kind: .notFoundSurge, threshold: 10, window: 10, minVolume: 50, forSeconds: 5),
        AlertRule(kind: .latencyP95, threshold: 1000, window: 30, minVolume: 20, forSeconds: 5),
    ]
}

/// A rule changing state: `firing` when it starts, `resolved` when it ends.
public struct AlertEvent: Sendable, Equatable {
    public enum State: String, Sendable { case firing, resolved }
    public var rule: AlertKind
    public var state: State
    /// The measured value (in the rule's unit) at the transition.
    public var value: Double
    public var threshold: Double
    public var unit: String
    /// Seconds the value was computed over.
    public var window: Int
    /// Event time of the transition (Unix seconds UTC).
    public var time: Int64
    /// When the alert started firing (equal to `time` for `firing`): with `rule` and `offender` it
    /// identifies one alert, so a replay can recognise an event it has already published.
    public var firedAt: Int64
    /// The client or path responsible, where it applies.
    public var offender: String?
    /// The absolute rate behind a share, in `rateUnit`: the offender's requests per second for
    /// `client_flood`, 404 responses per second for `not_found_surge`; nil for the other rules.
    public var rate: Double?

    public init(rule: AlertKind, state: State, value: Double, threshold: Double, unit: String, window: Int,
                time: Int64, firedAt: Int64, offender: String? = nil, rate: Double? = nil) {
        self.rule = rule
        self.state = state
        self.value = value
        self.threshold = threshold
        self.unit = unit
        self.window = window
        self.time = time
        self.firedAt = firedAt
        self.offender = offender
        self.rate = rate
    }

    /// Unit of `rate`.
    public var rateUnit: String { rule == .notFoundSurge ? "404/s" : "req/s" }

    /// Stable identity of the alert (same for its firing and resolved events).
    public var id: String { "\(rule.rawValue)|\(offender ?? "")|\(firedAt)" }

    /// `FIRING error_rate 12.5 % >= 5 % over 30 s`,
    /// `FIRING client_flood 42.9 % >= 30 % over 10 s, 150 req/s (client 203.0.113.9)`
    public var message: String {
        let cmp: String
        switch (state, rule == .rateDrop) {
        case (.firing, false): cmp = ">="
        case (.firing, true): cmp = "<="
        case (.resolved, false): cmp = "<"
        case (.resolved, true): cmp = ">"
        }
        var text = "\(state == .firing ? "FIRING" : "resolved") \(rule.rawValue) \(Format.number(value)) \(unit) \(cmp) \(Format.number(threshold)) \(unit) over \(window) s"
        if let rate { text += ", \(Format.number(rate)) \(rateUnit)" }
        if let offender { text += " (\(rule == .notFoundSurge || rule == .clientFlood ? "client" : "by") \(offender))" }
        return text
    }
}
