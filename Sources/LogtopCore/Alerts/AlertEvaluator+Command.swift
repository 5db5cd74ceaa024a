extension AlertRule {
    /// `value` as this rule's threshold: at least `minimumThreshold`, rounded to a millionth (so that
    /// repeated steps of 0.05 stay 0.05 apart). The one clamp of a threshold, used by the key table to
    /// show the new value and by the evaluator to apply it.
    public func clampedThreshold(_ value: Double) -> Double {
        max(minimumThreshold, (value * 1e6).rounded() / 1e6)
    }
}

extension AlertEvaluator {
    /// Applies a front end's command to the rules (threshold, enabled); other commands are not the
    /// rules' business and are ignored.
    public mutating func apply(_ command: Command) {
        switch command {
        case .setThreshold(let kind, let value): setThreshold(kind, value)
        case .setRuleEnabled(let kind, let on): setEnabled(kind, on)
        case .setPaused, .togglePause, .setRate, .scaleRate, .scenario, .toggleReplayPause, .setReplaySpeed, .setFilter: break
        }
    }
}
