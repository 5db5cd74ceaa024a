import LogtopCore

/// The metrics records of a scale-out run: `members` analyzers aggregate their share of `span`
/// seconds of traffic at `rate` lines per second (split by client, as a producer keying records by
/// client would) and each publishes one encoded `MetricsPartial` per second. The records of a second
/// are consecutive, in member order, as a reader would mostly receive them.
public struct PartialsCorpus: Sendable {
    public let records: [[UInt8]]
    /// Lines aggregated in all.
    public let lines: Int
    /// Time the members spent aggregating, and taking + encoding their records.
    public let aggregating: Duration
    public let encoding: Duration

    public init(rate: Int, members: Int, span: Int, seed: UInt64 = 1) {
        let clock = ContinuousClock()
        let corpus = LogCorpus(lines: rate * span, seed: seed, linesPerSecond: rate)
        var aggregators = (0..<members).map { PartialAggregator(topic: "logs", partition: Int32($0)) }
        var offsets = [Int64](repeating: 0, count: members)
        var published: [[UInt8]] = []
        published.reserveCapacity(members * span)
        var encoding = Duration.zero
        var line = 0
        let began = clock.now
        corpus.forEachLine { bytes in
            let client = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[0..<(bytes.firstIndex(of: 0x20) ?? bytes.count)])
            let p = Int(StableHash.hash(bytes: client) % UInt64(members))
            aggregators[p].ingest(line: bytes, offset: offsets[p])
            offsets[p] += 1
            line += 1
            guard line % rate == 0 else { return }
            let start = clock.now
            for m in aggregators.indices {
                if let record = aggregators[m].take(member: "analyzer-\(m)", producedAt: 0, memberLag: 0) {
                    published.append(record.encode())
                }
            }
            encoding += clock.now - start
        }
        records = published
        lines = corpus.lineCount
        aggregating = clock.now - began - encoding
        self.encoding = encoding
    }

    /// Decodes every record and merges it into `engine`, as a merged view does.
    public func merge(into engine: inout AnalysisEngine) {
        for bytes in records {
            guard let record = try? MetricsPartial(decoding: bytes) else { preconditionFailure("a record does not decode") }
            engine.ingest(record)
        }
    }
}
