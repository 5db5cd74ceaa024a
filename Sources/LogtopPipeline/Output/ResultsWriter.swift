import Foundation
import LogtopCore

/// Appends interval reports to `results.txt` (human-readable) and, optionally, to a JSON Lines file.
public final class ResultsWriter {
    private let text: FileHandle?
    private let json: FileHandle?
    public let textPath: String?
    public let jsonPath: String?

    public init(textPath: String?, jsonPath: String?) throws {
        self.textPath = textPath
        self.jsonPath = jsonPath
        text = try textPath.map(Self.openForAppend)
        json = try jsonPath.map(Self.openForAppend)
    }

    static func openForAppend(_ path: String) throws -> FileHandle {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw PipelineError("cannot create \(path)", hint: "check that the folder exists and is writable")
            }
        }
        guard let h = FileHandle(forWritingAtPath: path) else {
            throw PipelineError("cannot open \(path) for writing", hint: "check its permissions")
        }
        h.seekToEndOfFile()
        return h
    }

    /// Says, before the run's first block, that only requests matching `filter` are counted (text), and
    /// as a `"type":"filter"` object (JSON Lines).
    public func writeFilterNote(_ filter: String) {
        text?.write(Data(ReportFormatter.filterText(filter).utf8))
        json?.write(Data((ReportFormatter.filterJSON(filter) + "\n").utf8))
    }

    public func write(_ reports: [IntervalReport]) {
        for r in reports {
            text?.write(Data(ReportFormatter.text(r).utf8))
            json?.write(Data((ReportFormatter.json(r) + "\n").utf8))
        }
    }

    /// Appends the pipeline's delivery accounting after the TOTAL block (text) and as a
    /// `"type":"kafka"` object (JSON Lines).
    public func writeKafkaSummary(_ s: PipelineStatus) {
        let failed = s.producer.failed + s.producer.rejected
        var reasons = s.producer.failuresByReason.merging(s.producer.rejectionsByReason) { $0 + $1 }
        reasons = reasons.filter { $0.value > 0 }
        let reasonText = reasons.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        var line = "kafka           produced \(s.producer.produced)  delivered \(s.producer.delivered)  failed \(failed)"
        if !reasonText.isEmpty { line += " (\(reasonText))" }
        line += "  lost \(s.consumer.lostLines)  alerts published \(s.alertsPublished)"
        if s.alertsReplayed > 0 { line += " (\(s.alertsReplayed) already on the topic, not repeated)" }
        line += "\n"
        if let m = s.merge {
            line += "merged          \(m.partials) partials from \(m.analyzers.count) analyzers"
            if !m.analyzers.isEmpty { line += " (" + m.analyzers.map(Self.describe).joined(separator: ", ") + ")" }
            line += "  replays skipped \(m.duplicates)  uncovered \(m.gapRecords)  double-counted \(m.overlapRecords)\n"
        }
        line += "\n"
        text?.write(Data(line.utf8))
        let reasonJSON = reasons.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",")
        let obj = "{\"type\":\"kafka\",\"logtop\":\"\(Logtop.version)\",\"produced\":\(s.producer.produced),\"delivered\":\(s.producer.delivered),\"failed\":\(failed),\"failures\":{\(reasonJSON)},\"lost\":\(s.consumer.lostLines),\"alerts_published\":\(s.alertsPublished),\"alerts_replayed\":\(s.alertsReplayed)\(Self.mergeJSON(s.merge))}\n"
        json?.write(Data(obj.utf8))
    }

    /// `a lag 12` for an analyzer publishing lately, `b silent since 10:04:05` for one that stopped.
    static func describe(_ a: AnalyzerStatus) -> String {
        a.active ? "\(a.member) lag \(a.lag)" : "\(a.member) silent since \(CivilTime.clock(a.lastSeenMs / 1000))"
    }

    /// `,"merged":{...}` for a merged view, nothing otherwise.
    static func mergeJSON(_ m: MergeStatus?) -> String {
        guard let m else { return "" }
        let analyzers = m.analyzers.map { a in
            "{\"member\":\(ReportFormatter.jsonString(a.member)),\"lag\":\(a.lag),\"lines\":\(a.lines),\"active\":\(a.active),\"partitions\":[\(a.partitions.map(String.init).joined(separator: ","))]}"
        }.joined(separator: ",")
        return ",\"merged\":{\"partials\":\(m.partials),\"replays_skipped\":\(m.duplicates),\"uncovered\":\(m.gapRecords),\"double_counted\":\(m.overlapRecords),\"undecodable\":\(m.undecodable),\"analyzers\":[\(analyzers)]}"
    }

    deinit {
        try? text?.close()
        try? json?.close()
    }
}

/// An error with the fix, for people.
public struct PipelineError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var hint: String?

    public init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }

    public var description: String { hint.map { "\(message)\n  hint: \($0)" } ?? message }
}
