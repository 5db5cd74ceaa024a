import Foundation
import LogtopCore
import Synchronization

/// The generator's live state: changed by the front end's commands (pause, rate, scenario), read by the
/// generator source before each tick, shown in the status.
final class GeneratorControl: Sendable {
    private let state: Mutex<GeneratorState>

    init(_ state: GeneratorState) { self.state = Mutex(state) }

    var current: GeneratorState { state.withLock { $0 } }

    /// Applies a generator command (the analyzer's commands are not its business).
    func apply(_ command: Command, now: Date = Date()) {
        state.withLock { s in
            switch command {
            case .setPaused(let p): s.paused = p
            case .togglePause: s.paused.toggle()
            case .setRate(let r): s.rate = Command.clampedRate(r)
            case .scaleRate(let f): s.rate = Command.clampedRate(s.rate * f)
            case .scenario(let sc, let seconds):
                s.scenario = sc
                s.scenarioUntil = seconds.map { Int64(now.timeIntervalSince1970) + Int64($0) }
            case .setThreshold, .setRuleEnabled, .toggleReplayPause, .setReplaySpeed, .setFilter: break
            }
        }
    }

    /// The settings of the next tick; a timed scenario that is over ends here.
    func settings(now: Date = Date()) -> GeneratorLoop.Settings {
        state.withLock { s in
            if let until = s.scenarioUntil, Int64(now.timeIntervalSince1970) >= until {
                s.scenario = nil
                s.scenarioUntil = nil
            }
            return GeneratorLoop.Settings(rate: s.rate, paused: s.paused, scenario: s.scenario)
        }
    }

    func add(generated n: Int) {
        guard n > 0 else { return }
        state.withLock { $0.generated += n }
    }
}
