import ArgumentParser
import Foundation
import LogtopCore
import LogtopKafka
import LogtopPipeline

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the traffic generator alone: produce to the logs topic, or print lines with --stdout.")

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var topics: TopicOptions
    @OptionGroup var generator: GeneratorOptions

    @Flag(help: "Print lines on standard output instead of producing them to Kafka.")
    var stdout = false

    @Option(help: "Stop after this many lines.")
    var count: Int?

    @Flag(name: .customLong("no-pace"), help: "With --stdout: write as fast as possible (timestamps still advance at --rate lines per second).")
    var noPace = false

    @Option(help: ArgumentHelp("Serve generated lines to any number of TCP clients on HOST:PORT (port 0: any free port) instead of producing to Kafka; read them with logtop --source tcp://HOST:PORT. A client too slow to keep up is disconnected.", valueName: "host:port"))
    var listen: String?

    /// `--duration` (shared with the main command, which would otherwise take it).
    @OptionGroup var analysis: AnalysisOptions

    func run() throws {
        if let count, count < 1 { throw ValidationError("--count \(count): expected a positive number of lines") }
        let limit = try analysis.limit()
        let config = try pipelineConfig(kafka, topics, generator)
        installSignalHandlers()
        if let listen {
            guard !stdout else { throw ValidationError("--listen and --stdout exclude each other") }
            guard let (host, port) = SourceSpec.hostPort(listen, allowZero: true) else {
                throw ValidationError("--listen \(listen): expected HOST:PORT, e.g. 127.0.0.1:9000")
            }
            let server: LineServer
            do { server = try LineServer(host: host, port: port) } catch { fail("\(error)") }
            FileHandle.standardError.write(Data("listening on \(server.address)\n".utf8))
            let lines = server.serveGenerated(config.generator, count: count) { stopSignal.load(ordering: .relaxed) }
            server.close(drainTimeout: 5)
            FileHandle.standardError.write(Data("logtop generate: \(lines) lines served; \(server.acceptedClients) clients, \(server.droppedClients) dropped as too slow\n".utf8))
            return
        }
        if stdout {
            var loop = GeneratorLoop(seed: config.generator.seed, rate: config.generator.rate, paced: !noPace)
            loop.write(to: 1, count: count, settings: GeneratorLoop.Settings(rate: config.generator.rate, scenario: config.generator.scenario),
                       shouldStop: { stopSignal.load(ordering: .relaxed) })
            return
        }
        var c = config
        c.sources = [.generator]
        c.analyze = false
        c.generator.count = count
        let pipeline: Pipeline
        do { pipeline = try Pipeline(config: c) } catch { fail("\(error)") }
        FileHandle.standardError.write(Data("\(pipeline.embedded ? "embedded Kafka broker at" : "Kafka brokers") \(pipeline.brokerAddress)\n".utf8))
        // With --count the generator ends by itself once it has handed that many lines to Kafka.
        pipeline.waitForSources(duration: limit) { stopSignal.load(ordering: .relaxed) }
        pipeline.finish(drainTimeout: 5)
        FileHandle.standardError.write(Data("logtop generate: Kafka: \(BatchRunner.deliveryText(pipeline.status().producer))\n".utf8))
    }
}
