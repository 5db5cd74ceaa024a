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

    public func write(_ reports: [IntervalReport]) {
        for r in reports {
            text?.write(Data(ReportFormatter.text(r).utf8))
            json?.write(Data((ReportFormatter.json(r) + "\n").utf8))
        }
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
