/// nginx JSON lines (`log_format ... escape=json`).
extension AccessLogParser {
    func parseJSON(_ s: UnsafeBufferPointer<UInt8>) -> ParseOutcome {
        var reader = JSONLineReader(s)
        guard let fields = reader.readFlatObject() else { return .malformed(.badJSON) }
        var client: String?, timeLocal: [UInt8]?, timeISO: [UInt8]?, msec: [UInt8]?
        var request: [UInt8]?, method: [UInt8]?, uri: [UInt8]?, status: [UInt8]?, bytes: [UInt8]?
        var referrer: [UInt8]?, agent: [UInt8]?, reqTime: [UInt8]?, host: [UInt8]?, proto: [UInt8]?
        for (key, value) in fields {
            switch key {
            case "remote_addr": client = Sanitizer.string(value)
            case "time_local": timeLocal = value
            case "time_iso8601": timeISO = value
            case "msec": msec = value
            case "request": request = value
            case "request_method": method = value
            case "request_uri", "uri": if uri == nil || key == "request_uri" { uri = value }
            case "server_protocol": proto = value
            case "status": status = value
            case "body_bytes_sent": bytes = value
            case "bytes_sent": if bytes == nil { bytes = value }
            case "http_referer": referrer = value
            case "http_user_agent": agent = value
            case "request_time": reqTime = value
            case "host", "server_name": if host == nil { host = value }
            default: break
            }
        }
        guard let client, !client.isEmpty else { return .malformed(.missingField) }
        var time: Int64?
        if let t = timeLocal { time = t.withUnsafeBufferPointer { Self.clfTimeSlow($0, 0, $0.count) } }
        else if let t = timeISO { time = t.withUnsafeBufferPointer { Self.isoTime($0) } }
        else if let t = msec { time = t.withUnsafeBufferPointer { Self.secondsToMicros($0, 0, $0.count) }.map { $0 / 1_000_000 } }
        else { return .malformed(.missingField) }
        guard let time else { return .malformed(.badTimestamp) }
        guard let st = status, st.count == 3, let code = st.withUnsafeBufferPointer({ Self.threeDigits($0, 0) }) else {
            return .malformed(.badStatus)
        }
        var size: Int64 = 0
        if let b = bytes, b != [Ascii.dash], !b.isEmpty {
            guard let v = b.withUnsafeBufferPointer({ Self.unsigned($0, 0, $0.count) }) else { return .malformed(.badBytes) }
            size = v
        }
        var record = LogRecord(client: client, time: time, status: code, bytes: size)
        record.referrer = referrer.flatMap { $0.withUnsafeBufferPointer { Self.optionalText($0, 0, $0.count) } }
        record.userAgent = agent.flatMap { $0.withUnsafeBufferPointer { Self.optionalText($0, 0, $0.count) } }
        record.requestTimeMicros = reqTime.flatMap { $0.withUnsafeBufferPointer { Self.secondsToMicros($0, 0, $0.count) } }
        record.vhost = host.flatMap { $0.withUnsafeBufferPointer { Self.optionalText($0, 0, $0.count) } }
        if let request {
            request.withUnsafeBufferPointer { splitRequest($0, 0, $0.count, into: &record) }
        } else if let method, let uri, !method.isEmpty, !uri.isEmpty {
            var line = method + [Ascii.space] + uri
            if let proto, !proto.isEmpty { line += [Ascii.space] + proto }
            line.withUnsafeBufferPointer { splitRequest($0, 0, $0.count, into: &record) }
        }
        return .record(record)
    }

    /// `2026-11-26T13:29:56+00:00`, optional fraction, `Z` or an offset.
    static func isoTime(_ s: UnsafeBufferPointer<UInt8>) -> Int64? {
        let n = s.count
        guard n >= 19, let y = digits(s, 0, 4), s[4] == Ascii.dash, let mo = digits(s, 5, 2), s[7] == Ascii.dash,
              let d = digits(s, 8, 2), s[10] == 0x54 || s[10] == 0x20, let hh = digits(s, 11, 2), s[13] == Ascii.colon,
              let mm = digits(s, 14, 2), s[16] == Ascii.colon, let ss = digits(s, 17, 2) else { return nil }
        guard (1...12).contains(mo), (1...31).contains(d), hh < 24, mm < 60, ss <= 60 else { return nil }
        var p = 19
        if p < n, s[p] == Ascii.dot {
            p += 1
            while p < n, s[p] >= 0x30, s[p] <= 0x39 { p += 1 }
        }
        var offset = 0
        if p < n {
            if s[p] == 0x5A || s[p] == 0x7A { p += 1 }
            else if let tz = tzOffset(s, p, n) { offset = tz; p = n }
            else { return nil }
        }
        guard p == n else { return nil }
        return Int64(CivilTime.daysFromCivil(year: y, month: mo, day: d)) * 86_400 + Int64(hh * 3600 + mm * 60 + ss) - Int64(offset)
    }
}
