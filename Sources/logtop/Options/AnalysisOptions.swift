import ArgumentParser
import Foundation
import LogtopCore
import LogtopKafka
import LogtopPipeline

/// Options of the analysis shared by the main command and `logtop analyze`. (One group for both:
/// ArgumentParser hands an option of the main command to it even after a subcommand's name, so a
/// subcommand option of the same name would never receive its value.)
struct AnalysisOptions: ParsableArguments {
    @Option(help: "Stop after this long (e.g. 90s, 10m).")
    var duration: String?

    @Option(help: "Log format: auto, combined, common, vcombined, nginx-json.")
    var format = "auto"

    @Flag(name: .customLong("keep-query"), help: "Keep query strings in paths (stripped by default).")
    var keepQuery = false

    @Option(name: .customLong("replay-speed"), help: ArgumentHelp(
        "Replay file: sources at the log's own pace, N times real time (1 = as it happened, 10, 60...; keys p and +/- pause and change it), or max: as fast as possible (the default). Gaps over 5 minutes of log time are skipped.",
        valueName: "N|max"))
    var replaySpeed = "max"

    @Option(name: .customLong("metrics-listen"), help: ArgumentHelp(
        "Serve Prometheus/OpenMetrics metrics at http://HOST:PORT/metrics (e.g. 127.0.0.1:9464).", valueName: "host:port"))
    var metricsListen: String?

    func apply(to config: inout PipelineConfig) throws {
        config.replaySpeed = try Self.replaySpeed(replaySpeed)
        if config.replaySpeed != nil, !config.sources.contains(where: { if case .file = $0 { true } else { false } }) {
            throw ValidationError("--replay-speed \(replaySpeed): paces file:PATH sources read once (not --follow, stdin, tcp or the generator), and this run has none")
        }
        guard let fmt = LogFormat(rawValue: format) else {
            throw ValidationError("--format \(format): expected one of \(LogFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        config.engine.format = fmt
        config.engine.keepQuery = keepQuery
        if let metricsListen {
            guard SourceSpec.hostPort(metricsListen, allowZero: true) != nil else {
                throw ValidationError("--metrics-listen \(metricsListen): expected HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464")
            }
            config.metricsListen = metricsListen
        }
    }

    /// `--replay-speed`: nil for `max`, else a speed in `ReplayClock.speedRange` (`60` or `60x`).
    static func replaySpeed(_ text: String) throws -> Double? {
        if text == "max" { return nil }
        let number = text.hasSuffix("x") ? String(text.dropLast()) : text
        guard let v = Double(number), v.isFinite, ReplayClock.speedRange.contains(v) else {
            throw ValidationError("--replay-speed \(text): expected a speed such as 1, 10 or 60 (times real time, \(ReplayClock.speedRange.lowerBound)...\(Int(ReplayClock.speedRange.upperBound))) or max")
        }
        return v
    }

    /// `--duration` in seconds.
    func limit() throws -> Double? {
        try duration.map { d -> Double in
            guard let v = DurationParser.seconds(d), v > 0 else { throw ValidationError("--duration \(d): expected e.g. 90s or 10m") }
            return v
        }
    }
}
