// libFuzzer entry point for the access-log parser and the engine. Built by scripts/fuzz.sh together
// with the LogtopCore sources (swiftc -parse-as-library -sanitize=fuzzer,address).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var parser = AccessLogParser()
    if case .record(let r) = parser.parse(bytes) {
        for text in [r.client, r.path ?? "", r.userAgent ?? "", r.referrer ?? "", r.method ?? ""] {
            for u in text.unicodeScalars where u.value < 0x20 || (0x7F...0x9F).contains(u.value) {
                fatalError("control character U+\(String(u.value, radix: 16)) escaped the sanitiser")
            }
        }
    }
    var engine = AnalysisEngine()
    engine.ingest(line: bytes)
    _ = engine.snapshot()
    for report in engine.finish() {
        _ = ReportFormatter.text(report)
        _ = ReportFormatter.json(report)
    }
    return 0
}
