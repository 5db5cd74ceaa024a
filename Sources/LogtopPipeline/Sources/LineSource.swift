/// Stage one of the data flow: something that reads or makes access-log lines (a file, a followed
/// file, stdin, a TCP stream, the traffic generator) and hands each to its `SourceOutput`.
///
/// `run` is called on a thread of its own and returns when the input ends or when
/// `output.shouldStop` says the pipeline is stopping; it reports its state and errors through the
/// output, never by printing.
protocol LineSource: Sendable {
    func run(into output: SourceOutput)
}

extension SourceSpec {
    /// The source that reads this spec, with the pipeline's settings; `nil` for `.none`.
    func makeSource(_ config: PipelineConfig, generator: GeneratorControl) -> LineSource? {
        switch self {
        case .generator: return GeneratorSource(control: generator, seed: config.generator.seed, count: config.generator.count)
        case .file(let path): return FileSource(path: path)
        case .followedFile(let path, let fromStart):
            return FollowedFileSource(path: path, fromStart: fromStart, pollMs: config.followPollMs)
        case .stdin: return DescriptorSource(fd: 0)
        case .tcp(let host, let port):
            return TCPSource(host: host, port: port, initialBackoffMs: config.reconnectInitialMs, maxBackoffMs: config.reconnectMaxMs)
        case .none: return nil
        }
    }
}
