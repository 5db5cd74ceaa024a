import Synchronization

/// Producer counters, updated by `produce` (any thread) and by delivery
/// reports (the producer's poll thread).
final class DeliveryAccounting: Sendable {
    private let stats = Mutex(ProducerStats())

    func recordEnqueued() { stats.withLock { $0.produced += 1 } }

    func recordQueueFull() { stats.withLock { $0.queueFull += 1 } }

    func recordRejected(_ code: KafkaErrorCode) {
        let name = code.name
        stats.withLock {
            $0.rejected += 1
            $0.rejectionsByReason[name, default: 0] += 1
        }
    }

    /// Delivery report for one message.
    func record(error code: KafkaErrorCode) {
        if code == .noError {
            stats.withLock { $0.delivered += 1 }
        } else {
            let name = code.name
            stats.withLock {
                $0.failed += 1
                $0.failuresByReason[name, default: 0] += 1
            }
        }
    }

    var snapshot: ProducerStats { stats.withLock { $0 } }
}
