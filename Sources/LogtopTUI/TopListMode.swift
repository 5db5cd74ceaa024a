/// Which top list the dashboard shows.
public enum TopListMode: String, Sendable, CaseIterable {
    case urls, clients, referrers, userAgents

    public var title: String {
        switch self {
        case .urls: return "Top URLs"
        case .clients: return "Top clients"
        case .referrers: return "Top referrers"
        case .userAgents: return "Top user agents"
        }
    }

    /// Heading of the key column.
    public var column: String {
        switch self {
        case .urls: return "path"
        case .clients: return "client"
        case .referrers: return "referrer"
        case .userAgents: return "user agent"
        }
    }

    /// Referrers and user agents are counted without status codes: no 4xx/5xx shares.
    public var hasErrorShares: Bool { self == .urls || self == .clients }

    public var next: TopListMode {
        let all = Self.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }
}

/// How the top list is ordered.
public enum TopListSort: String, Sendable, CaseIterable {
    case hits
    case clientErrors = "4xx share"
    case serverErrors = "5xx share"

    public var title: String { rawValue }

    public var next: TopListSort {
        let all = Self.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }
}
