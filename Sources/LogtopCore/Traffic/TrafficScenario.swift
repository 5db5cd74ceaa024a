/// A traffic anomaly the synthetic generator can inject, so the analyzer and its alert
/// rules have something to detect.
///
/// How a scenario is realised is split between the two generator parts:
/// - ``TrafficPacer`` scales the background rate by ``rateMultiplier`` and adds
///   ``injectedRatio`` extra lines per background line on top;
/// - ``TrafficModel`` shapes each line: the error and latency mix, and turns the same share of its
///   lines, ``injectedRatio`` ÷ (1 + ``injectedRatio``), evenly spread, into the attacker's requests.
/// Used together, background traffic keeps its rate and the attack comes on top.
///
/// The attacks scale with the rate, so that each one is the same anomaly at 50 lines/s and at
/// 10,000: a fixed 150 req/s flood is three quarters of a 50 lines/s site but 1.5 % of a
/// 10,000 lines/s one, less than its busiest ordinary client. At the default 200 lines/s they are
/// the same as before: `flood` adds 150 req/s, `scan` 50 404/s.
public enum TrafficScenario: String, CaseIterable, Sendable {
    /// Request rate ×10.
    case spike
    /// 5xx burst: about 40 % of requests answer 500/502/503/504.
    case errors
    /// One client hammering: a single address adds 0.75 request per background request (150 req/s
    /// at 200 lines/s): 43 % of all requests.
    case flood
    /// 404 sweep: one client probing non-existent paths (`/.env`, `/wp-admin/…`), 0.25 request per
    /// background request (50 req/s at 200 lines/s): 20 % of all requests.
    case scan
    /// Latency degradation: request times ×20 and a heavier tail.
    case slow
    /// Traffic stops: rate 0.
    case drop

    /// A one-line description for help texts.
    public var summary: String {
        switch self {
        case .spike: "request rate x10"
        case .errors: "5xx burst: ~40% of requests fail with 500/502/503/504"
        case .flood: "one client hammering: one IP adds 75% of the rate (150 req/s at 200)"
        case .scan: "404 sweep: one IP probing missing paths adds 25% of the rate"
        case .slow: "latency degradation: request times x20, p95 well above 2 s"
        case .drop: "traffic stops: rate 0"
        }
    }

    /// Factor applied to the background request rate.
    public var rateMultiplier: Double {
        switch self {
        case .spike: 10
        case .drop: 0
        case .errors, .flood, .scan, .slow: 1
        }
    }

    /// Lines added on top of the background traffic per background line, all from one client.
    public var injectedRatio: Double {
        switch self {
        case .flood: 0.75
        case .scan: 0.25
        case .spike, .errors, .slow, .drop: 0
        }
    }

    /// Lines per second added on top of `background` lines per second, all from one client.
    public func injectedRate(background: Double) -> Double { max(0, background) * injectedRatio }

    /// The share of all lines that are the attacker's: ``injectedRatio`` ÷ (1 + ``injectedRatio``).
    public var injectedShare: Double { injectedRatio / (1 + injectedRatio) }

    /// Probability that a background request fails with a 5xx status.
    var serverErrorRate: Double { self == .errors ? 0.40 : TrafficScenario.normalServerErrorRate }

    /// The 5xx share when no scenario is active.
    static let normalServerErrorRate = 0.01
}
