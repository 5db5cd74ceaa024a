/// The request methods the run counts one by one (RFC 9110's, plus PATCH); any other token, or none,
/// counts as `other`. A fixed set, so a metric labelled by it stays bounded whatever the log holds.
public enum HTTPMethod: Int, Sendable, CaseIterable {
    case get, head, post, put, delete, patch, options, connect, trace, other

    public var name: String {
        switch self {
        case .get: return "GET"
        case .head: return "HEAD"
        case .post: return "POST"
        case .put: return "PUT"
        case .delete: return "DELETE"
        case .patch: return "PATCH"
        case .options: return "OPTIONS"
        case .connect: return "CONNECT"
        case .trace: return "TRACE"
        case .other: return "other"
        }
    }

    /// The method spelled by `bytes[start..<end]` (exact, case-sensitive, as HTTP methods are).
    @inline(__always)
    static func classify(_ s: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> HTTPMethod {
        let n = end - start
        guard n >= 3, n <= 7 else { return .other }
        // The first byte and the length tell every method but PUT/POST... apart; then compare the rest.
        switch (s[start], n) {
        case (0x47, 3): return s[start + 1] == 0x45 && s[start + 2] == 0x54 ? .get : .other  // GET
        case (0x48, 4): return matches(s, start, "HEAD") ? .head : .other
        case (0x50, 4): return matches(s, start, "POST") ? .post : .other
        case (0x50, 3): return matches(s, start, "PUT") ? .put : .other
        case (0x50, 5): return matches(s, start, "PATCH") ? .patch : .other
        case (0x44, 6): return matches(s, start, "DELETE") ? .delete : .other
        case (0x4F, 7): return matches(s, start, "OPTIONS") ? .options : .other
        case (0x43, 7): return matches(s, start, "CONNECT") ? .connect : .other
        case (0x54, 5): return matches(s, start, "TRACE") ? .trace : .other
        default: return .other
        }
    }

    /// The method named `text` (a `LogRecord`'s).
    static func classify(_ text: String?) -> HTTPMethod {
        guard let text else { return .other }
        return allCases.first { $0 != .other && $0.name == text } ?? .other
    }

    @inline(__always)
    private static func matches(_ s: UnsafeBufferPointer<UInt8>, _ start: Int, _ word: StaticString) -> Bool {
        let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for i in 1..<w.count where s[start + i] != w[i] { return false }
        return true
    }
}
