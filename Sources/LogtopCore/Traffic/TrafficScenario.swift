/// A traffic anomaly the synthetic generator can inject, so the analyzer and its alert
/// rules have something to detect.
///
/// How a scenario is realised is split between the two generator parts:
/// - ``TrafficPacer`` scales the background rate by ``rateMultiplier`` and adds
///   ``injectedRate`` extra lines per second on top;
/// - ``TrafficModel`` shapes each line: the error and latency mix, and, in every second of
///   event time, turns up to ``injectedRate`` of its lines into the attacker's requests.
/// Used together, background traffic keeps its rate and the attack comes on top.
public enum TrafficScenario: String, CaseIterable, Sendable {
    /// Request rate ×10.
    case spike
    /// 5xx burst: about 40 % of requests answer 500/502/503/504.
    case errors
    /// One client hammering: an extra 150 req/s from a single address.
    case flood
    /// 404 sweep: one client probing 50 req/s of non-existent paths (`/.env`, `/wp-admin/…`).
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
        case .flood: "one client hammering: +150 req/s from a single IP"
        case .scan: "404 sweep: one client probing +50 req/s of non-existent paths"
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

    /// Lines per second added on top of the background traffic, all from one client.
    public var injectedRate: Double {
        switch self {
        case .flood: 150
        case .scan: 50
        case .spike, .errors, .slow, .drop: 0
        }
    }

    /// Probability that a background request fails with a 5xx status.
    var serverErrorRate: Double { self == .errors ? 0.40 : TrafficScenario.normalServerErrorRate }

    /// The 5xx share when no scenario is active.
    static let normalServerErrorRate = 0.01
}
