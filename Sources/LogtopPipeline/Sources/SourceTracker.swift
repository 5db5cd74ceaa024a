import Synchronization

/// The live counters of one running source: written by its thread, read by `Pipeline.status()`.
final class SourceTracker: Sendable {
    let name: String
    /// Value of the `logtop-source` header, and key of the records when `keyed`.
    let nameBytes: [UInt8]
    /// Keyed records land in one partition, so the analyzer reads them in order.
    let keyed: Bool
    private let lines = Atomic<Int>(0)
    private let info: Mutex<SourceStatus>

    init(name: String, keyed: Bool) {
        self.name = name
        self.nameBytes = Array(name.utf8)
        self.keyed = keyed
        self.info = Mutex(SourceStatus(name: name))
    }

    func countLines(_ n: Int = 1) { lines.add(n, ordering: .relaxed) }

    func set(_ state: SourceState) {
        info.withLock { if $0.state != state { $0.state = state } }
    }

    var state: SourceState { info.withLock { $0.state } }

    func setWaiting(_ wait: SourceStatus.Wait?) {
        info.withLock {
            if wait == .analyzer, $0.waiting != .analyzer { $0.analyzerWaits += 1 }
            $0.waiting = wait
        }
    }

    var waitingForAnalyzer: Bool { info.withLock { $0.waiting == .analyzer } }

    func setRotations(_ n: Int) { info.withLock { $0.rotations = n } }

    func addConnection() { info.withLock { $0.connections += 1 } }

    func status() -> SourceStatus {
        var s = info.withLock { $0 }
        s.lines = lines.load(ordering: .relaxed)
        return s
    }
}
