import LogtopCore

extension DashboardRenderer {
    /// The entries of the chosen top list in the chosen order.
    static func topEntries(_ summary: StatsSummary, mode: TopListMode, sort: TopListSort) -> [TopEntry] {
        let entries: [TopEntry]
        switch mode {
        case .urls: entries = summary.topPaths
        case .clients: entries = summary.topClients
        case .referrers: entries = summary.topReferrers
        case .userAgents: entries = summary.topUserAgents
        }
        guard mode.hasErrorShares, sort != .hits else { return entries }
        func share(_ e: TopEntry) -> Double {
            Double(sort == .clientErrors ? e.clientErrors : e.serverErrors) / Double(max(1, e.count))
        }
        return entries.enumerated().sorted { a, b in
            let sa = share(a.element), sb = share(b.element)
            return sa != sb ? sa > sb : a.offset < b.offset
        }.map(\.element)
    }

    /// Top URLs (or clients, referrers, user agents): hits, share of the window and 4xx/5xx shares.
    mutating func drawTopListPane(_ rect: Rect) {
        let inner = rect.inset(1)
        let mode = state.topList
        let sort = mode.hasErrorShares ? state.sort : .hits
        buffer.box(rect, title: mode.title, info: "by \(sort.title) (t list, s sort)", glyphs: glyphs)
        guard inner.height >= 1, inner.width >= 20 else { return }
        let summary = traffic.window
        let entries = Self.topEntries(summary, mode: mode, sort: sort)
        let hitsW = 7, shareW = 7, errW = 6
        let numbers = hitsW + shareW + (mode.hasErrorShares ? 2 * errW : 0)
        let keyW = max(4, inner.width - numbers - 1)
        func mark(_ s: TopListSort) -> String { s == sort ? glyphs.sortMark : "" }
        var header: [(String, Style)] = [
            (pad(mode.column, keyW + 1), .dim),
            (pad(mark(.hits) + "hits", hitsW, right: true), sort == .hits ? .title : .dim),
            (pad("share", shareW, right: true), .dim),
        ]
        if mode.hasErrorShares {
            header.append((pad(mark(.clientErrors) + "4xx", errW, right: true), sort == .clientErrors ? .title : .dim))
            header.append((pad(mark(.serverErrors) + "5xx", errW, right: true), sort == .serverErrors ? .title : .dim))
        }
        spans(header, x: inner.x, y: inner.y, limit: inner.width)
        guard !entries.isEmpty else {
            if inner.height >= 2 {
                buffer.put(fit("no requests in the window", inner.width), x: inner.x, y: inner.y + 1, style: .dim)
            }
            return
        }
        let total = Double(max(1, summary.requests))
        for (i, e) in entries.prefix(inner.height - 1).enumerated() {
            var row: [(String, Style)] = [
                (pad(e.key, keyW) + " ", state.selectedRow == i ? .selected : .normal),
                (pad(Compact.count(e.count), hitsW, right: true), .strong),
                (pad(Compact.percent(Double(e.count) / total), shareW, right: true), .normal),
            ]
            if mode.hasErrorShares {
                let c4 = Double(e.clientErrors) / Double(max(1, e.count))
                let c5 = Double(e.serverErrors) / Double(max(1, e.count))
                row.append((pad(Compact.percent(c4), errW, right: true), c4 >= 0.25 ? .warn : .dim))
                row.append((pad(Compact.percent(c5), errW, right: true), c5 >= 0.05 ? .bad : .dim))
            }
            spans(row, x: inner.x, y: inner.y + 1 + i, limit: inner.width)
        }
    }
}
