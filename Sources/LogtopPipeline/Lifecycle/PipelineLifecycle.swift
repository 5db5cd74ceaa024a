/// The life of a pipeline as one value: which threads must stop, in which order, and when the
/// analyzer may end. Events are methods that return the action the caller performs (swift-nio's
/// state-machine style), so the order of a shutdown is written once, here, and tests drive it
/// without threads or Kafka.
///
/// ```
/// running ──finish──► stoppingSources ──sourcesStopped(delivered:)──► draining(target) ──analyzerEnded──► closed
///    └──────crash────► crashed ──analyzerEnded──► closed (no final publication, no commit)
/// ```
public struct PipelineLifecycle: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        case running
        /// Sources are asked to stop; the analyzer goes on.
        case stoppingSources
        /// The analyzer takes what is left: every line our sources had delivered (`target`).
        case draining(target: Int)
        /// Stopping the way a killed process stops: nothing more is published or committed.
        case crashed
        case closed
    }

    public private(set) var phase = Phase.running

    public init() {}

    public enum FinishAction: Sendable, Equatable {
        /// Stop the sources, wait for them, flush the producer, then call `sourcesStopped(delivered:)`.
        case stopSources
        /// Finishing or finished already: nothing to do.
        case none
    }

    public enum DrainAction: Sendable, Equatable {
        /// Wait for the analyzer (it ends once it has taken `target` of our lines), then close Kafka.
        case awaitAnalyzer(target: Int)
        case none
    }

    public enum CrashAction: Sendable, Equatable {
        /// Stop sources and analyzer at once, then drop the Kafka clients without publishing.
        case abandon
        case none
    }

    /// An orderly stop was asked for.
    public mutating func finish() -> FinishAction {
        guard phase == .running else { return .none }
        phase = .stoppingSources
        return .stopSources
    }

    /// Every source thread has ended and the producer has delivered `delivered` of our lines.
    public mutating func sourcesStopped(delivered: Int) -> DrainAction {
        guard phase == .stoppingSources else { return .none }
        phase = .draining(target: delivered)
        return .awaitAnalyzer(target: delivered)
    }

    /// A stop as if the process were killed (crash-recovery tests).
    public mutating func crash() -> CrashAction {
        guard phase == .running else { return .none }
        phase = .crashed
        return .abandon
    }

    /// The analyzer thread has returned and the clients are closed.
    public mutating func closed() { phase = .closed }

    /// Sources stop at their next line or poll.
    public var sourcesShouldStop: Bool { phase != .running }

    /// The analyzer stops taking new work: draining, crashed or closed.
    public var analyzerShouldStop: Bool {
        switch phase {
        case .running, .stoppingSources: return false
        case .draining, .crashed, .closed: return true
        }
    }

    /// True when the analyzer must end without its final publication and commit.
    public var crashed: Bool { phase == .crashed }

    /// Whether an analyzer that has taken `consumed` of our lines may end now.
    public func analyzerMayEnd(consumed: Int) -> Bool {
        switch phase {
        case .running, .stoppingSources: return false
        case .draining(let target): return consumed >= target
        case .crashed, .closed: return true
        }
    }
}
