/// Stage three of the data flow: a consumer of Kafka that runs on a thread of its own until the
/// pipeline's lifecycle lets it end. Three kinds, by `AnalysisMode`: `LocalAnalyzer` (analyse the
/// `logs` topic here), `MemberAnalyzer` (`logtop analyze`: publish partial aggregates),
/// `MergedViewAnalyzer` (`--source none`: merge the members' partials).
protocol Analyzer: Sendable {
    func run()
}
