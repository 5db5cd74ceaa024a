extension AccessLogParser {
    /// The event time (Unix seconds) of one line, or nil when the line is malformed: what a paced
    /// replay needs to know about a line before it lets it go (`ReplayClock`).
    public mutating func eventTime(_ raw: UnsafeBufferPointer<UInt8>) -> Int64? {
        var fields = LineFields()
        switch scan(raw, into: &fields) {
        case .fields: return fields.time
        case .json:
            if case .record(let r) = parse(raw) { return r.time }
            return nil
        case .malformed: return nil
        }
    }
}
