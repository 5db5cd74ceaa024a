/// What a rule measured at one second.
public struct AlertMeasurement: Sendable, Equatable {
    /// The value in the rule's unit; `nil` when there was too little traffic to judge.
    public var value: Double?
    public var offender: String?
    /// Baseline rate used (spike and drop), so that a drop keeps comparing with the traffic it lost.
    public var baselineRate: Double?
    /// The absolute rate behind a share (see `AlertEvent.rate`).
    public var rate: Double?

    public init(value: Double?, offender: String? = nil, baselineRate: Double? = nil, rate: Double? = nil) {
        self.value = value
        self.offender = offender
        self.baselineRate = baselineRate
        self.rate = rate
    }
}

/// The state machine of every rule: ok → pending → firing → clearing → ok, one step per second of
/// event time. Pure: the engine computes measurements, this decides.
public struct AlertEvaluator: Sendable {
    public private(set) var rules: [AlertRule]
    private var phases: [Phase]

    enum Phase: Sendable, Equatable {
        case ok
        case pending(since: Int64)
        case firing(since: Int64, offender: String?, clearingSince: Int64?, baseline: Double?)
    }

    /// An alert currently firing.
    public struct Active: Sendable, Equatable {
        public var rule: AlertKind
        public var since: Int64
        public var offender: String?
    }

    public init(rules: [AlertRule]) {
        self.rules = rules
        phases = Array(repeating: .ok, count: rules.count)
    }

    public func rule(_ kind: AlertKind) -> AlertRule? { rules.first { $0.kind == kind } }

    /// Changes a threshold; applies from the next evaluated second.
    public mutating func setThreshold(_ kind: AlertKind, _ value: Double) {
        guard let i = rules.firstIndex(where: { $0.kind == kind }), value.isFinite else { return }
        rules[i].threshold = rules[i].clampedThreshold(value)
    }

    public mutating func setEnabled(_ kind: AlertKind, _ on: Bool) {
        guard let i = rules.firstIndex(where: { $0.kind == kind }) else { return }
        rules[i].enabled = on
    }

    /// The baseline a firing or pending drop/spike rule holds on to.
    func frozenBaseline(_ index: Int) -> Double? {
        if case .firing(_, _, _, let b) = phases[index] { return b }
        return nil
    }

    public var active: [Active] {
        rules.indices.compactMap { i in
            if case .firing(let since, let offender, _, _) = phases[i] {
                return Active(rule: rules[i].kind, since: since, offender: offender)
            }
            return nil
        }
    }

    /// One step for rule `index` at `second`; returns the event of a transition, if any.
    public mutating func step(_ index: Int, at second: Int64, _ m: AlertMeasurement) -> AlertEvent? {
        let rule = rules[index]
        guard rule.enabled else {
            if case .firing(let since, let offender, _, _) = phases[index] {
                phases[index] = .ok
                return event(rule, .resolved, m.value ?? rule.threshold, second, since, offender)
            }
            phases[index] = .ok
            return nil
        }
        let breach: Bool
        let clear: Bool
        if let v = m.value {
            breach = rule.firesAbove ? v >= rule.threshold : v <= rule.threshold
            clear = rule.firesAbove ? v < rule.threshold * rule.resolveRatio : v > rule.threshold / rule.resolveRatio
        } else {
            breach = false
            clear = true
        }
        switch phases[index] {
        case .ok:
            guard breach else { return nil }
            if rule.forSeconds <= 1 { return fire(index, rule, second, m) }
            phases[index] = .pending(since: second)
        case .pending(let since):
            guard breach else { phases[index] = .ok; return nil }
            if second - since + 1 >= Int64(rule.forSeconds) { return fire(index, rule, second, m) }
        case .firing(let since, let offender, let clearingSince, let baseline):
            guard clear else {
                phases[index] = .firing(since: since, offender: offender, clearingSince: nil, baseline: baseline)
                return nil
            }
            let start = clearingSince ?? second
            if second - start + 1 >= Int64(max(1, rule.forSeconds)) {
                phases[index] = .ok
                return event(rule, .resolved, m.value ?? 0, second, since, offender, rate: m.rate)
            }
            phases[index] = .firing(since: since, offender: offender, clearingSince: start, baseline: baseline)
        }
        return nil
    }

    private mutating func fire(_ index: Int, _ rule: AlertRule, _ second: Int64, _ m: AlertMeasurement) -> AlertEvent {
        phases[index] = .firing(since: second, offender: m.offender, clearingSince: nil, baseline: m.baselineRate)
        return event(rule, .firing, m.value ?? 0, second, second, m.offender, rate: m.rate)
    }

    private func event(_ rule: AlertRule, _ state: AlertEvent.State, _ value: Double, _ second: Int64,
                       _ since: Int64, _ offender: String?, rate: Double? = nil) -> AlertEvent {
        AlertEvent(rule: rule.kind, state: state, value: value, threshold: rule.threshold, unit: rule.unit,
                   window: rule.window, time: second, firedAt: since, offender: offender, rate: rate)
    }
}
