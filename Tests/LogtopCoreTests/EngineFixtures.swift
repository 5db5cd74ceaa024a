@testable import LogtopCore

/// A combined-format line at Unix time `t`.
func accessLine(_ client: String = "10.0.0.1", at t: Int64, path: String = "/", status: Int = 200,
                bytes: Int = 100, seconds: Double? = nil, agent: String = "test-agent") -> String {
    var line = "\(client) - - [\(CivilTime.commonLogTime(t))] \"GET \(path) HTTP/1.1\" \(status) \(bytes) \"-\" \"\(agent)\""
    if let seconds { line += " " + Format.fixed(seconds, decimals: 3) }
    return line
}

/// 2026-11-26T13:00:00Z, on an interval boundary.
let baseTime: Int64 = 1_795_784_400

func engine(_ tweak: (inout EngineConfig) -> Void = { _ in }) -> AnalysisEngine {
    var c = EngineConfig()
    tweak(&c)
    return AnalysisEngine(config: c)
}

extension AnalysisEngine {
    /// Feed `perSecond` requests for each second in `range` (relative to `baseTime`).
    mutating func feed(_ range: Range<Int64>, perSecond: Int, make: (Int64, Int) -> String = { t, _ in accessLine(at: t) }) {
        for s in range {
            for i in 0..<perSecond { ingest(line: make(baseTime + s, i)) }
        }
    }
}
