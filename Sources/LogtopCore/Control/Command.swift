/// What a front end asks of the running system, from the key that is pressed to the rule or the
/// generator that acts on it: one vocabulary, no renaming layer in between.
///
/// The dashboard's key table (`KeyMap`) emits commands; the pipeline hands the generator's to its
/// generator source and queues the analyzer's for the analyzer thread, whose engine applies them to
/// its alert rules (`AlertEvaluator.apply`). Values are clamped once, by the functions below, which the
/// key table also uses to say what the new value is.
public enum Command: Sendable, Equatable {
    /// Pause or resume the traffic generator.
    case setPaused(Bool)
    case togglePause
    /// New generation rate, lines per second (clamped by `clampedRate`).
    case setRate(Double)
    /// Multiply the generation rate (1.25 raises it, 0.8 lowers it; clamped by `clampedRate`).
    case scaleRate(Double)
    /// Start a scenario for `seconds` (nil: until changed); a nil scenario stops the running one.
    case scenario(TrafficScenario?, seconds: Int?)
    /// New threshold of a rule (clamped by `AlertRule.clampedThreshold`); applied at once.
    case setThreshold(AlertKind, Double)
    case setRuleEnabled(AlertKind, Bool)
    /// Count only requests matching this `LineFilter` expression in the live figures (a filtered view
    /// beside the main engine, which keeps all traffic for the alert rules); nil or empty clears it.
    case setFilter(String?)
    /// Pause or resume a paced replay of files (`--replay-speed`).
    case toggleReplayPause
    /// New speed of a paced replay, times real time (clamped by `ReplayClock.clamped`).
    case setReplaySpeed(Double)

    /// Generation rates the generator accepts, lines per second.
    public static let rateRange: ClosedRange<Double> = 1...1_000_000

    /// `rate` brought into `rateRange`, in whole lines per second.
    public static func clampedRate(_ rate: Double) -> Double {
        min(rateRange.upperBound, max(rateRange.lowerBound, rate.rounded()))
    }

    /// True for the commands the analyzer applies (to its alert rules); the others drive the generator
    /// or a paced replay (`isForReplay`).
    public var isForAnalyzer: Bool {
        switch self {
        case .setThreshold, .setRuleEnabled, .setFilter: return true
        case .setPaused, .togglePause, .setRate, .scaleRate, .scenario: return false
        case .toggleReplayPause, .setReplaySpeed: return false
        }
    }

    /// True for the commands of a paced replay (the replay clock applies them).
    public var isForReplay: Bool {
        switch self {
        case .toggleReplayPause, .setReplaySpeed: return true
        default: return false
        }
    }
}
