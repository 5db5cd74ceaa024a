import LogtopCore

/// The alert events already on the alerts topic, so that an analyzer replaying records (after a
/// restart, a rebalance or a crash) does not publish the same firing or resolution twice.
///
/// An event is known by its alert's stable id (`AlertEvent.id`: rule, offender, the second it started
/// firing) and its state. Bounded: the oldest of more than `capacity` entries are forgotten.
struct AlertLedger {
    /// Header carrying `AlertLedger.key(of:)` on every alert record logtop publishes.
    static let header = "logtop-alert"

    private var known: Set<String> = []
    private var order: [String] = []
    private var head = 0
    let capacity: Int

    init(capacity: Int = 10_000) { self.capacity = max(1, capacity) }

    static func key(of event: AlertEvent) -> String { "\(event.id)|\(event.state.rawValue)" }

    var count: Int { known.count }

    func contains(_ event: AlertEvent) -> Bool { known.contains(Self.key(of: event)) }

    /// Records `key`; returns false when it was already known.
    @discardableResult
    mutating func insert(_ key: String) -> Bool {
        guard known.insert(key).inserted else { return false }
        order.append(key)
        if order.count - head > capacity {
            known.remove(order[head])
            head += 1
            if head > capacity { order.removeFirst(head); head = 0 }
        }
        return true
    }

    mutating func insert(_ event: AlertEvent) -> Bool { insert(Self.key(of: event)) }
}
