import Foundation
import LogtopTestSupport
@testable import LogtopTUI
import Testing

/// The figures of the dashboard's filter (`/`) and drill-down (`Enter`) in the real binary (tmux,
/// 160×40), checked against an independent count of the lines the test wrote (`ExpectedFigures`,
/// counted from `CorpusRequest` fields): requests in the window, unique clients, peak req/s, bytes/s,
/// the average's bounds, the 2xx–5xx shares, every status code listed with its count and share, the
/// 5xx error rate, latency samples and p50/p95/p99, and all four top lists (hits, shares, 4xx/5xx
/// shares). A filter or drill-down counts from the moment the analyzer has it, so each phase applies
/// it, waits until the view is empty under the new title, and only then appends a batch to the
/// followed file.
@Suite("Filter and drill-down figures against an independent count (tmux)", .serialized)
struct FilterFiguresEndToEndTests {
    /// An expression of each kind, and the same test written here on the request's fields (README,
    /// Batch mode, `--filter`: status codes and ranges; a path glob, case-sensitive; a path regex,
    /// case-insensitive and found anywhere; an IPv4 CIDR block; methods and user-agent regexes ignore
    /// case; a request without the field matches no positive term, so `!` keeps it).
    static let filters: [(String, @Sendable (CorpusRequest) -> Bool)] = [
        ("status:5xx", { (500...599).contains($0.status) }),
        ("status:>=400", { $0.status >= 400 }),
        ("status:404", { $0.status == 404 }),
        ("path:/api/*", { $0.path?.hasPrefix("/api/") == true }),
        ("path~^/api/v[0-9]+/cart", { r in
            guard let p = r.path?.lowercased() else { return false }
            guard p.hasPrefix("/api/v") else { return false }
            let rest = p.dropFirst("/api/v".count)
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            return !digits.isEmpty && rest.dropFirst(digits.count).hasPrefix("/cart")
        }),
        ("client:10.0.0.0/8", { r in
            let octets = r.client.split(separator: ".", omittingEmptySubsequences: false)
            return octets.count == 4 && octets.allSatisfy { UInt8($0) != nil } && octets[0] == "10"
        }),
        ("client:192.168.1.*", { $0.client.hasPrefix("192.168.1.") }),
        ("method:POST", { $0.requestMethod?.uppercased() == "POST" }),
        ("ua~bot", { $0.userAgent?.lowercased().contains("bot") == true }),
        ("!path:/api/*", { $0.path?.hasPrefix("/api/") != true }),
        ("ua:mozilla/5.0*", { $0.userAgent?.lowercased().hasPrefix("mozilla/5.0") == true }),
        ("referrer:*example.com*", { $0.referrer?.lowercased().contains("example.com") == true }),
        // The virtual host without its port (vcombined writes `%v:%p`), its case ignored.
        ("vhost:shop.example.com", { $0.vhost?.lowercased().hasPrefix("shop.example.com:") == true }),
        ("ua=\"Googlebot/2.1\"", { $0.userAgent == "Googlebot/2.1" }),
        ("status:>=400 !path:/api/* !ua~bot", { r in
            r.status >= 400 && r.path?.hasPrefix("/api/") != true && r.userAgent?.lowercased().contains("bot") != true
        }),
    ]

    /// The filters in three runs of logtop, five each: under the whole test suite's load a phase can
    /// take ten seconds or more, and each run keeps well inside its own time limit.
    static let groups = [0, 1, 2]

    @Test(.timeLimit(.minutes(5)), arguments: groups)
    func eachFilterShowsTheCountOfTheMatchingLines(group: Int) throws {
        _ = try TmuxSession.tmuxPath
        let d = try FollowedLogDashboard()
        defer { d.close() }
        // All traffic first: the unfiltered dashboard is the count of every line.
        try d.writeBatch()
        try d.awaitFigures(ExpectedFigures(CorpusRequest.batch), "all traffic")

        let size = (Self.filters.count + Self.groups.count - 1) / Self.groups.count
        for (expression, matches) in Self.filters.dropFirst(group * size).prefix(size) {
            let expected = ExpectedFigures(CorpusRequest.batch.filter(matches))
            try #require(expected.count > 0 && expected.count < CorpusRequest.batch.count, "\(expression) must select some lines")
            try d.applyFilter(expression)
            try d.writeBatch()
            // The URLs first (the list the dashboard shows); the other lists for a few kinds.
            let (screen, _) = try d.awaitFigures(expected, "the figures of \(expression)")
            #expect(screen.split(separator: "\n").first?.contains("FILTER \(expression) since") == true)
            if ["path:/api/*", "client:10.0.0.0/8", "ua~bot", "status:>=400 !path:/api/* !ua~bot"].contains(expression) {
                _ = try d.awaitAllLists(expected, "the figures of \(expression)")
            }
        }
        // Esc: all traffic again (every batch written is still in the window).
        try d.clear()
        #expect(try d.quit())
    }

    /// The drill-downs tried: which list (`t` presses from the URLs), which row, and the field of
    /// the filter on the key.
    static let drills: [(mode: TopListMode, pick: @Sendable ([ScreenFigures.TopRow]) -> Int?)] = [
        (.urls, { $0.count > 1 ? 1 : nil }),  // the second URL
        (.clients, { $0.isEmpty ? nil : 0 }),
        // Keys with a twin differing only in case (another row of the list).
        (.referrers, { $0.firstIndex { $0.key == "https://example.com/" } }),
        (.userAgents, { $0.firstIndex { $0.key == "Googlebot/2.1" } }),
    ]

    @Test(.timeLimit(.minutes(5)))
    func aDrillDownShowsWhatTheFilterOnItsKeyShows() throws {
        _ = try TmuxSession.tmuxPath
        let d = try FollowedLogDashboard()
        defer { d.close() }
        try d.writeBatch()
        try d.awaitFigures(ExpectedFigures(CorpusRequest.batch), "all traffic")

        for (wanted, pick) in Self.drills {
            try d.clear()
            while d.figures(d.tmux.capture()).topMode != wanted {
                let before = d.figures(d.tmux.capture()).topMode
                d.tmux.send("t")
                try d.tmux.wait("the next top list", timeout: FollowedLogDashboard.deadline) { d.figures($0).topMode != before }
            }
            try d.tmux.wait("\(wanted.title)", timeout: FollowedLogDashboard.deadline) { !d.figures($0).top.isEmpty }

            let (mode, key) = try d.drill(pick)
            #expect(mode == wanted)
            let field: (CorpusRequest) -> String? = switch mode {
            case .urls: { $0.path }
            case .clients: { $0.client }
            case .referrers: { $0.referrer }
            case .userAgents: { $0.userAgent }
            }
            let expected = ExpectedFigures(CorpusRequest.batch.filter { field($0) == key })
            try #require(expected.count > 1, "\(key) must have several requests")
            try d.writeBatch()
            let drilled = try d.awaitAllLists(expected, "the drill-down of \(mode.column) \(key)")

            // The same batch under the filter on that key (exact: `=`).
            let name = ["path", "client", "referrer", "ua"][TopListMode.allCases.firstIndex(of: mode)!]
            try d.applyFilter("\(name)=\"\(key)\"")
            try d.writeBatch()
            let filtered = try d.awaitAllLists(expected, "the filter \(name)=\"\(key)\"")

            #expect(drilled.figures.timeless == filtered.figures.timeless,
                    "drill-down:\n\(drilled.figures)\nfilter:\n\(filtered.figures)")
            for m in TopListMode.allCases {
                #expect(drilled.lists[m] == filtered.lists[m], "\(m.title): drill-down \(drilled.lists[m] ?? []) filter \(filtered.lists[m] ?? [])")
                #expect(drilled.lists[m]?.isEmpty == false || expected.keys(m).isEmpty, "\(m.title) empty")
            }
        }
        try d.clear()
        #expect(try d.quit())
    }
}
