import Testing
@testable import LogtopCore

/// A results file says which logtop wrote it: the TOTAL block names the version, once, on the line
/// after its header; interval blocks stay as they were.
@Suite struct ReportVersion {
    @Test func theTotalBlockNamesTheVersion() throws {
        var e = engine()
        e.feed(0..<130, perSecond: 3)
        let reports = e.finish()
        let total = try #require(reports.first { $0.isTotal })
        let lines = ReportFormatter.text(total).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0].hasPrefix("==== TOTAL "))
        #expect(lines[1] == "logtop          \(Logtop.version)")
        #expect(lines.filter { $0.hasPrefix("logtop ") }.count == 1)
        let intervals = reports.filter { !$0.isTotal }
        #expect(!intervals.isEmpty)
        for r in intervals { #expect(!ReportFormatter.text(r).contains("logtop ")) }
    }

    @Test func theVersionIsSemantic() {
        // The Debian package version and `--version` are this string: digits and dots only.
        let parts = Logtop.version.split(separator: ".", omittingEmptySubsequences: false)
        #expect(parts.count == 3)
        #expect(parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) })
    }
}
