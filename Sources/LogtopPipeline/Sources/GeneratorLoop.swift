import Foundation
import LogtopCore

/// The one paced loop of the traffic generator, used by the pipeline's generator source,
/// `logtop generate --stdout` and `logtop generate --listen`: every tick (5 ms) it makes the lines
/// that are due at the current rate (`TrafficPacer`), stamped with the current time (`TrafficModel`).
///
/// Unpaced (`generate --stdout --no-pace`), it makes lines as fast as they are taken and their
/// timestamps advance at `rate` lines per second from the start.
public struct GeneratorLoop {
    /// Time between two ticks.
    public static let tickMicros: UInt32 = 20_000
    private var model: TrafficModel
    private var pacer: TrafficPacer
    private let paced: Bool
    private let start: Int64
    /// Lines made so far.
    public private(set) var generated = 0

    public init(seed: UInt64, rate: Double, paced: Bool = true) {
        model = TrafficModel(seed: seed)
        pacer = TrafficPacer(rate: rate, seed: seed)
        self.paced = paced
        start = Int64(Date().timeIntervalSince1970)
    }

    /// What the loop reads before each tick: the rate, whether it is paused, the scenario.
    public struct Settings: Sendable, Equatable {
        public var rate: Double
        public var paused = false
        public var scenario: TrafficScenario?

        public init(rate: Double, paused: Bool = false, scenario: TrafficScenario? = nil) {
            self.rate = rate
            self.paused = paused
            self.scenario = scenario
        }
    }

    /// Generates until `shouldStop()` or `count` lines in all; returns the lines made. Before each tick
    /// `settings()` gives the live rate, pause and scenario; each line (without newline) goes to `line`,
    /// which returns false to stop at once; `tickDone` runs after the tick's lines with how many were
    /// made (a flush, a broadcast) and returns false to stop.
    @discardableResult
    public mutating func run(count: Int? = nil, shouldStop: () -> Bool, settings: () -> Settings,
                             line: (UnsafeRawBufferPointer) -> Bool, tickDone: (Int) -> Bool = { _ in true }) -> Int {
        let limit = count ?? Int.max
        while !shouldStop(), generated < limit {
            let s = settings()
            let due: Int
            let now: Int64
            if paced {
                pacer.rate = s.rate
                pacer.paused = s.paused
                due = pacer.due(nowNanos: DispatchTime.now().uptimeNanoseconds, scenario: s.scenario)
                now = Int64(Date().timeIntervalSince1970)
            } else {
                due = 1000
                now = start
            }
            var made = 0
            var stop = false
            for _ in 0..<min(due, limit - generated) {
                let time = paced ? now : start + Int64(Double(generated + made) / max(1, s.rate))
                var text = model.nextLine(time: time, scenario: s.scenario)
                guard text.withUTF8({ line(UnsafeRawBufferPointer($0)) }) else { stop = true; break }
                made += 1
            }
            generated += made
            if !tickDone(made) || stop { break }
            if paced { usleep(Self.tickMicros) }
        }
        return generated
    }
}
