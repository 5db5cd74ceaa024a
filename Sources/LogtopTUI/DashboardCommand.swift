import LogtopCore

/// What the dashboard asks of the running system. The wiring turns each into a pipeline action; the
/// dashboard itself only changes its own view state.
public enum DashboardCommand: Sendable, Equatable {
    case togglePause
    /// Multiply the generation rate (1.25 raises it, 0.8 lowers it).
    case scaleRate(Double)
    /// Start a scenario for `seconds` (nil: until changed); a nil scenario stops the running one.
    case scenario(TrafficScenario?, seconds: Int?)
    /// New threshold of a rule, already clamped at the rule's minimum; the analyzer uses it at once.
    case setThreshold(AlertKind, Double)
    case setRuleEnabled(AlertKind, Bool)
}
