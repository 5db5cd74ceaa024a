import LogtopCore
import Testing
@testable import LogtopTUI

/// The pipeline pane shows the lateness in effect next to the late count (docs/event-time.md).
@Suite struct LatenessDisplay {
    @Test func pipelinePaneShowsTheLatenessInEffect() throws {
        let l = try #require(DashboardLayout.compute(width: 120, height: 40))
        var live = Fixtures.normal
        live.lateness = 5
        live.intervalLateness = 5
        #expect(render(liveFeed(live), DashboardState(), 120, 40).text(in: l.pipeline).contains("late 0 ≤5s"))
        var file = live
        file.intervalLateness = 3_600
        #expect(render(liveFeed(file), DashboardState(), 120, 40).text(in: l.pipeline).contains("late 0 ≤5s/1h"))
        // What the engine reports for a file: the live figures' 5 s, the reports' hour.
        var config = EngineConfig()
        config.finiteInput = true
        let snap = AnalysisEngine(config: config).snapshot()
        #expect(snap.lateness == 5 && snap.intervalLateness == 3_600)
    }
}
