import Synchronization

/// Producer counters, updated by `produce` (any thread) and by delivery
/// reports (the producer's poll thread).
final class DeliveryAccounting: Sendable {
    private let stats = Mutex(ProducerStats())

    func recordEnqueued(lines: Int) { stats.withLock { $0.produced += lines } }

    func recordQueueFull() { stats.withLock { $0.queueFull += 1 } }

    func recordRejected(_ code: KafkaErrorCode, lines: Int) {
        let name = code.name
        stats.withLock {
            $0.rejected += lines
            $0.rejectionsByReason[name, default: 0] += lines
        }
    }

    /// Delivery report for one message.
    func record(error code: KafkaErrorCode, lines: Int) {
        if code == .noError {
            stats.withLock { $0.delivered += lines }
        } else {
            let name = code.name
            stats.withLock {
                $0.failed += lines
                $0.failuresByReason[name, default: 0] += lines
            }
        }
    }

    var snapshot: ProducerStats { stats.withLock { $0 } }
}
