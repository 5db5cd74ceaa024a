import Foundation

/// A `.env` file: `KEY=value` lines, `#` comments, optional `export `, single or double quotes.
public struct EnvFile: Sendable, Equatable {
    public var values: [String: String]
    /// Set when the file can be read by group or others (it may hold a password).
    public var looseMode: Bool
    /// Where it was read from (nil: no file).
    public var path: String?
    /// Permission bits, e.g. 0o644 (nil: no file).
    public var mode: UInt16?

    public init(values: [String: String] = [:], looseMode: Bool = false, path: String? = nil, mode: UInt16? = nil) {
        self.values = values
        self.looseMode = looseMode
        self.path = path
        self.mode = mode
    }

    /// Loads `path`. A missing file gives an empty set, unless `required` (a path the user named).
    public static func load(_ path: String, required: Bool = false) throws -> EnvFile {
        guard FileManager.default.fileExists(atPath: path) else {
            if required { throw PipelineError("--env-file \(path): no such file", hint: "check the path, or omit --env-file to read ./.env") }
            return EnvFile()
        }
        guard let data = readAll(path) else {
            throw PipelineError("cannot read \(path)", hint: "check its permissions (chmod 600 \(path) keeps it private and readable by you)")
        }
        let text = String(decoding: data, as: UTF8.self)
        let mode = permissions(of: path)
        return EnvFile(values: parse(text), looseMode: mode.map { $0 & 0o044 != 0 } ?? false, path: path, mode: mode)
    }

    /// Reads a file holding one secret (`--password-file`): its content without the final line break.
    public static func readSecret(_ path: String, flag: String = "--password-file") throws -> (value: String, mode: UInt16?) {
        guard let data = readAll(path) else {
            throw PipelineError("\(flag) \(path): cannot read the file", hint: "check the path and its permissions")
        }
        var value = String(decoding: data, as: UTF8.self)
        while value.hasSuffix("\n") || value.hasSuffix("\r") { value.removeLast() }
        guard !value.isEmpty else { throw PipelineError("\(flag) \(path): the file is empty", hint: "write the password in it, alone") }
        return (value, permissions(of: path))
    }

    /// The whole content of `path` (also of /dev/null and pipes, unlike `FileManager.contents`).
    static func readAll(_ path: String) -> Data? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        return try? handle.readToEnd() ?? Data()
    }

    /// The permission bits of `path`, e.g. 0o600.
    public static func permissions(of path: String) -> UInt16? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return UInt16(truncatingIfNeeded: st.st_mode & 0o7777)
    }

    public static func parse(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for raw in text.split(whereSeparator: \.isNewline) {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            guard let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let f = value.first, f == "\"" || f == "'", value.last == f {
                value = String(value.dropFirst().dropLast())
            } else if let hash = value.range(of: " #") {
                value = value[..<hash.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            guard !key.isEmpty else { continue }
            out[key] = value
        }
        return out
    }
}
