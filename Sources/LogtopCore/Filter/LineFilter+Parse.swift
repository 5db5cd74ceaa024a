extension LineFilter {
    static let aliases: [String: Field] = ["status": .status, "path": .path, "client": .client, "ip": .client,
                                           "method": .method, "ua": .ua, "agent": .ua, "vhost": .vhost, "host": .vhost,
                                           "referrer": .referrer, "ref": .referrer]

    static func parse(_ text: String) throws(FilterError) -> [Term] {
        let chars = Array(text)
        var terms: [Term] = []
        var i = 0
        func fail(_ message: String, at offset: Int) -> FilterError {
            FilterError(message: message, offset: min(offset, chars.count), expression: text)
        }
        while i < chars.count {
            if chars[i] == " " || chars[i] == "\t" { i += 1; continue }
            var negated = false
            if chars[i] == "!" { negated = true; i += 1 }
            let nameStart = i
            while i < chars.count, chars[i].isLetter { i += 1 }
            let name = String(chars[nameStart..<i]).lowercased()
            guard !name.isEmpty else {
                throw fail("expected a field (status, path, client, method, ua, vhost, referrer)", at: nameStart)
            }
            guard let field = aliases[name] else {
                throw fail("unknown field '\(name)': expected status, path, client, method, ua, vhost or referrer", at: nameStart)
            }
            guard i < chars.count, chars[i] == ":" || chars[i] == "~" || chars[i] == "=" else {
                throw fail("expected ':', '=' or '~' after \(name)", at: i)
            }
            let op = chars[i]
            i += 1
            let valueStart = i
            var value = ""
            let quoted = i < chars.count && chars[i] == "\""
            if quoted {
                i += 1
                while i < chars.count, chars[i] != "\"" { value.append(chars[i]); i += 1 }
                guard i < chars.count else { throw fail("unterminated quote", at: valueStart) }
                i += 1
            } else {
                while i < chars.count, chars[i] != " ", chars[i] != "\t" { value.append(chars[i]); i += 1 }
            }
            guard !value.isEmpty else { throw fail("expected a value after \(name)\(op)", at: valueStart) }
            // Most errors point at the value; an IPv6 block's at the character in it that is wrong.
            let valueText = quoted ? valueStart + 1 : valueStart
            let test = try makeTest(field, op: op, value, { fail($0, at: valueStart) },
                                    at: { fail($0, at: valueText + $1) })
            terms.append(Term(field: field, negated: negated, test: test))
        }
        return terms
    }

    /// `fail(message)` is an error at the value, `failAt(message, offset)` one at that character of it.
    static func makeTest(_ field: Field, op: Character, _ value: String, _ fail: (String) -> FilterError,
                         at failAt: (String, Int) -> FilterError) throws(FilterError) -> Test {
        if op == "~" {
            guard field != .status else { throw fail("status takes ':' (status:5xx, status:>=400), not a regex") }
            do { return .regex(try Regex(value).ignoresCase()) } catch { throw fail("bad regular expression '\(value)'") }
        }
        if op == "=" {
            // The value exactly as written: case kept, `*` and `?` themselves, no CIDR (a drill-down's key).
            guard field != .status else { throw fail("status takes ':' (status:404, status:5xx, status:>=400), not '='") }
            return .exact(value, ignoreCase: false)
        }
        switch field {
        case .status: return .status(try statusRange(value, fail))
        case .client:
            if value.contains("/") { return try cidr(value, fail, at: failAt) }
            return text(value, ignoreCase: false)
        case .path: return text(value, ignoreCase: false)
        case .method, .ua, .vhost, .referrer: return text(value, ignoreCase: true)
        }
    }

    static func text(_ value: String, ignoreCase: Bool) -> Test {
        let v = ignoreCase ? value.lowercased() : value
        return v.contains("*") || v.contains("?") ? .glob(Array(v), ignoreCase: ignoreCase) : .exact(v, ignoreCase: ignoreCase)
    }

    static func statusRange(_ value: String, _ fail: (String) -> FilterError) throws(FilterError) -> ClosedRange<Int> {
        let bad = "expected a status such as 404, 5xx, >=400 or <300"
        if value.count == 3, value.hasSuffix("xx"), let d = value.first?.wholeNumberValue, (1...5).contains(d) {
            return (d * 100)...(d * 100 + 99)
        }
        for (prefix, make) in [(">=", { (n: Int) in n...999 }), ("<=", { (n: Int) in 0...n }),
                               (">", { (n: Int) in (n + 1)...999 }), ("<", { (n: Int) in 0...max(0, n - 1) })] where value.hasPrefix(prefix) {
            guard let n = Int(value.dropFirst(prefix.count)), (0...999).contains(n) else { throw fail(bad) }
            return make(n)
        }
        guard let n = Int(value), (100...999).contains(n) else { throw fail(bad) }
        return n...n
    }

    /// An IPv4 block (`10.0.0.0/8`) or, when the address has a `:`, an IPv6 one (`2001:db8::/32`).
    static func cidr(_ value: String, _ fail: (String) -> FilterError,
                     at failAt: (String, Int) -> FilterError) throws(FilterError) -> Test {
        if let slash = value.firstIndex(of: "/"), value[..<slash].contains(":") {
            return try cidr6(String(value[..<slash]), length: value[value.index(after: slash)...],
                             lengthOffset: value.distance(from: value.startIndex, to: slash) + 1, at: failAt)
        }
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4.parse(String(parts[0])), let bits = Int(parts[1]), (0...32).contains(bits) else {
            throw fail("expected an IPv4 block such as 10.0.0.0/8")
        }
        let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - UInt32(bits))
        return .cidr(address & mask, mask: mask)
    }

    /// An IPv6 block: `address` as `IPv6Address` parses it, `length` 0 to 128 (one to three digits).
    static func cidr6(_ address: String, length: Substring, lengthOffset: Int,
                      at failAt: (String, Int) -> FilterError) throws(FilterError) -> Test {
        let network: IPv6Address
        switch IPv6Address.parse(address) {
        case .success(let a): network = a
        case .failure(let e): throw failAt(e.message, e.offset)
        }
        guard (1...3).contains(length.count), length.allSatisfy({ $0.isASCII && $0.isNumber }),
              let bits = Int(length), bits <= 128 else {
            throw failAt("expected a prefix length from 0 to 128 after '/' in an IPv6 block such as 2001:db8::/32", lengthOffset)
        }
        let mask = IPv6Address.mask(bits: bits)
        return .cidr6(network & mask, mask: mask)
    }
}

/// `*` and `?` globs over characters.
enum Glob {
    static func matches(_ p: [Character], _ s: [Character]) -> Bool {
        var pi = 0, si = 0
        var star = -1, mark = 0
        while si < s.count {
            if pi < p.count, p[pi] == "?" || p[pi] == s[si] {
                pi += 1; si += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi; mark = si; pi += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; si = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}

/// Dotted-quad IPv4 addresses.
enum IPv4 {
    static func parse(_ s: String) -> UInt32? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var v: UInt32 = 0
        for p in parts {
            guard !p.isEmpty, p.count <= 3, let n = UInt32(p), n <= 255 else { return nil }
            v = v << 8 | n
        }
        return v
    }
}
