import Testing
@testable import LogtopTUI

@Suite("Layout")
struct DashboardLayoutTests {
    @Test(arguments: [(80, 24), (100, 30), (120, 40), (200, 60), (81, 25)])
    func panesFitWithoutOverlapping(width: Int, height: Int) throws {
        let l = try #require(DashboardLayout.compute(width: width, height: height))
        let screen = Rect(x: 0, y: 0, width: width, height: height)
        let all = l.panes + [l.header, l.footer]
        for (i, a) in all.enumerated() {
            #expect(screen.contains(a), "\(a) outside \(width)x\(height)")
            for b in all[(i + 1)...] { #expect(!a.intersects(b), "\(a) overlaps \(b)") }
        }
        // The panes tile the whole area between header and footer.
        #expect(l.panes.map { $0.width * $0.height }.reduce(0, +) == width * (height - 2))
        for p in l.panes { #expect(p.width >= 30 && p.height >= 5) }
    }

    @Test func largerTerminalsGiveRoomToGraphTopListAndAlerts() throws {
        let small = try #require(DashboardLayout.compute(width: 80, height: 24))
        let large = try #require(DashboardLayout.compute(width: 120, height: 40))
        #expect(large.rate.height > small.rate.height)
        #expect(large.topList.height > small.topList.height)
        #expect(large.alerts.height > small.alerts.height)
        #expect(large.rate.width > small.rate.width)
        #expect(small.rules == nil)
        #expect(large.rules != nil)
    }

    @Test(arguments: [(79, 24), (80, 23), (60, 20), (0, 0), (1, 1)])
    func tooSmallHasNoLayout(width: Int, height: Int) {
        #expect(DashboardLayout.compute(width: width, height: height) == nil)
    }
}
