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

    func apply(to config: inout PipelineConfig) throws {
        guard let fmt = LogFormat(rawValue: format) else {
            throw ValidationError("--format \(format): expected one of \(LogFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        config.engine.format = fmt
        config.engine.keepQuery = keepQuery
    }

    /// `--duration` in seconds.
    func limit() throws -> Double? {
        try duration.map { d -> Double in
            guard let v = DurationParser.seconds(d), v > 0 else { throw ValidationError("--duration \(d): expected e.g. 90s or 10m") }
            return v
        }
    }
}
