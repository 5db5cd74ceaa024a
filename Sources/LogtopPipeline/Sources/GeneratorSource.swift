/// The synthetic traffic generator as a source: the paced loop (`GeneratorLoop`) under the front end's
/// control (pause, rate, scenario), its lines to Kafka.
struct GeneratorSource: LineSource {
    let control: GeneratorControl
    let seed: UInt64
    /// Stop after this many lines (`logtop generate --count`).
    let count: Int?

    func run(into output: SourceOutput) {
        output.set(.generating)
        var loop = GeneratorLoop(seed: seed, rate: control.current.rate)
        loop.run(count: count, shouldStop: { output.shouldStop }, settings: { control.settings() },
                 line: { output.line($0) },
                 tickDone: { made in
                     control.add(generated: made)
                     return output.endOfInput()
                 })
    }
}
