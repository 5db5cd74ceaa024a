import LogtopCore
import Testing
@testable import LogtopTUI

/// The dashboard says which rule is absolute (`rate_high`, a capacity limit) and shows the share rules
/// in percent.
@Suite struct AlertRuleDisplay {
    @Test func rateHighIsMarkedAbsoluteInTheRulesPaneTheAlertsPaneAndHelp() throws {
        let feed = liveFeed(Fixtures.normal)
        let b = render(feed, DashboardState(), 120, 40)
        let l = try #require(DashboardLayout.compute(width: 120, height: 40))
        let rules = b.text(in: try #require(l.rules)).split(separator: "\n")
        let rateHigh = try #require(rules.first { $0.contains("rate_high") })
        #expect(rateHigh.contains("≥ 10000 req/s absolute"))
        #expect(rules.filter { $0.contains("absolute") }.count == 1)
        #expect(try #require(rules.first { $0.contains("client_flood") }).contains("≥ 30 %"))
        #expect(try #require(rules.first { $0.contains("not_found_surge") }).contains("≥ 10 %"))
        // Selected in the alerts pane.
        var state = DashboardState()
        state.selectedRule = .rateHigh
        let selected = render(feed, state, 120, 40).text(in: l.alerts)
        #expect(selected.contains("10000 req/s over 10 s, absolute"))
        state.selectedRule = .clientFlood
        #expect(!render(feed, state, 120, 40).text(in: l.alerts).contains("absolute"))
        // Help, at the smallest and a large size.
        state.helpVisible = true
        for (w, h) in [(80, 24), (120, 40)] {
            #expect(render(feed, state, w, h).text.contains("rate_high is absolute (your capacity)"), "help at \(w)x\(h)")
        }
    }
}
