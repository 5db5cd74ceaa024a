import Foundation

/// A `.env` file: `KEY=value` lines, `#` comments, optional `export `, single or double quotes.
public struct EnvFile: Sendable, Equatable {
    public var values: [String: String]
    /// Set when the file can be read by group or others (it may hold a password).
    public var looseMode: Bool

    public init(values: [String: String] = [:], looseMode: Bool = false) {
        self.values = values
        self.looseMode = looseMode
    }

    /// Loads `path`; a missing file gives an empty set.
    public static func load(_ path: String) throws -> EnvFile {
        guard FileManager.default.fileExists(atPath: path) else { return EnvFile() }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var st = stat()
        let loose = stat(path, &st) == 0 && (st.st_mode & 0o044) != 0
        return EnvFile(values: parse(text), looseMode: loose)
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
