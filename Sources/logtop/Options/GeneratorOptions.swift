import ArgumentParser
import LogtopCore

/// The traffic generator.
struct GeneratorOptions: ParsableArguments {
    @Option(help: "Generated lines per second.")
    var rate: Double = 200

    @Option(help: "Seed of the traffic generator (same seed, same lines).")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Start the generator with a scenario: \(TrafficScenario.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "name"))
    var scenario: String?
}
