import Foundation
import LogtopCore
import Testing
@testable import LogtopPipeline

/// The shutdown order, driven as a value: no threads, no Kafka.
@Suite struct PipelineLifecycleTests {
    @Test func anOrderlyStopStopsSourcesThenDrainsToWhatWasDelivered() {
        var life = PipelineLifecycle()
        #expect(!life.sourcesShouldStop && !life.analyzerShouldStop)
        #expect(!life.analyzerMayEnd(consumed: .max))

        #expect(life.finish() == .stopSources)
        #expect(life.sourcesShouldStop)
        #expect(!life.analyzerShouldStop)  // the analyzer goes on while sources wind down
        #expect(life.finish() == PipelineLifecycle.FinishAction.none)  // idempotent

        #expect(life.sourcesStopped(delivered: 120) == .awaitAnalyzer(target: 120))
        #expect(life.analyzerShouldStop)
        #expect(!life.analyzerMayEnd(consumed: 119))
        #expect(life.analyzerMayEnd(consumed: 120))
        #expect(!life.crashed)
        #expect(life.crash() == PipelineLifecycle.CrashAction.none)  // too late to crash

        life.closed()
        #expect(life.phase == .closed)
        #expect(life.sourcesStopped(delivered: 5) == PipelineLifecycle.DrainAction.none)
    }

    @Test func aCrashStopsEverythingAtOnceWithoutDraining() {
        var life = PipelineLifecycle()
        #expect(life.crash() == .abandon)
        #expect(life.crashed && life.sourcesShouldStop && life.analyzerShouldStop)
        #expect(life.analyzerMayEnd(consumed: 0))
        #expect(life.finish() == PipelineLifecycle.FinishAction.none)
        #expect(life.sourcesStopped(delivered: 10) == PipelineLifecycle.DrainAction.none)
    }

    @Test func sourcesStoppedBeforeFinishIsIgnored() {
        var life = PipelineLifecycle()
        #expect(life.sourcesStopped(delivered: 10) == PipelineLifecycle.DrainAction.none)
        #expect(life.phase == .running)
    }
}

/// Generator commands act on the generator's live state, with the one rate clamp.
@Suite struct GeneratorControlTests {
    @Test func commandsChangeTheGeneratorAndRatesAreClamped() {
        let control = GeneratorControl(GeneratorState(enabled: true, rate: 200))
        control.apply(.scaleRate(1.25))
        #expect(control.current.rate == 250)
        control.apply(.setRate(0.2))
        #expect(control.current.rate == Command.rateRange.lowerBound)
        control.apply(.setRate(5e9))
        #expect(control.current.rate == Command.rateRange.upperBound)
        control.apply(.togglePause)
        #expect(control.current.paused)
        control.apply(.setPaused(false))
        #expect(!control.current.paused)
        control.apply(.setThreshold(.errorRate, 1))  // not the generator's business
        #expect(control.current == GeneratorState(enabled: true, rate: 1_000_000))
    }

    @Test func aTimedScenarioEndsByItself() {
        let control = GeneratorControl(GeneratorState(enabled: true, rate: 200))
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        control.apply(.scenario(.flood, seconds: 60), now: t0)
        #expect(control.settings(now: t0.addingTimeInterval(59)).scenario == .flood)
        #expect(control.settings(now: t0.addingTimeInterval(60)).scenario == nil)
        #expect(control.current.scenarioUntil == nil)
    }
}
