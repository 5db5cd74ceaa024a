import Synchronization

/// The pipeline's `PipelineLifecycle`, shared by its threads: sources and the analyzer read it, the
/// front end's `finish` and `crash` change it.
final class LifecycleCell: Sendable {
    private let state = Mutex(PipelineLifecycle())

    var current: PipelineLifecycle { state.withLock { $0 } }

    /// Applies one event and returns its action.
    func update<Action>(_ event: (inout PipelineLifecycle) -> Action) -> Action {
        state.withLock { event(&$0) }
    }

    var sourcesShouldStop: Bool { state.withLock { $0.sourcesShouldStop } }
}
