/// One parsed access-log line. Every text field is already sanitised (see `Sanitizer`):
/// it holds no control character and may be printed as it is.
public struct LogRecord: Sendable, Equatable {
    /// Client address or host name (`%h`, `remote_addr`).
    public var client: String
    /// Event time, Unix seconds UTC.
    public var time: Int64
    /// Request method, `nil` when the request line is `-`, empty or garbage.
    public var method: String?
    /// Request path (query string stripped unless kept), `nil` like `method`.
    public var path: String?
    /// Protocol such as `HTTP/1.1`, if present.
    public var proto: String?
    /// HTTP status code (3 digits).
    public var status: Int
    /// Response body size in bytes (0 when logged as `-`).
    public var bytes: Int64
    /// `Referer` header, `nil` when absent or `-`.
    public var referrer: String?
    /// `User-Agent` header, `nil` when absent or `-`.
    public var userAgent: String?
    /// Request time in microseconds when the log carries it.
    public var requestTimeMicros: Int64?
    /// Virtual host (`%v:%p` prefix or `host` field), if present.
    public var vhost: String?

    public init(client: String, time: Int64, method: String? = nil, path: String? = nil, proto: String? = nil,
                status: Int, bytes: Int64 = 0, referrer: String? = nil, userAgent: String? = nil,
                requestTimeMicros: Int64? = nil, vhost: String? = nil) {
        self.client = client
        self.time = time
        self.method = method
        self.path = path
        self.proto = proto
        self.status = status
        self.bytes = bytes
        self.referrer = referrer
        self.userAgent = userAgent
        self.requestTimeMicros = requestTimeMicros
        self.vhost = vhost
    }
}

/// Formats of access log that logtop understands.
public enum LogFormat: String, Sendable, CaseIterable {
    /// Detect per line.
    case auto
    /// Apache/nginx combined (`%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"`), optional trailing fields.
    case combined
    /// Common log format (`%h %l %u %t "%r" %>s %b`).
    case common
    /// Combined with a `%v:%p` virtual-host prefix.
    case vcombined
    /// nginx `log_format ... escape=json` lines.
    case nginxJSON = "nginx-json"
}

/// Why a line was not accepted.
public enum MalformedReason: String, Sendable {
    case empty = "empty line"
    case tooLong = "line too long"
    case noTimestamp = "no [timestamp]"
    case badTimestamp = "bad timestamp"
    case badStatus = "bad status"
    case badBytes = "bad bytes"
    case unterminatedQuote = "unterminated quote"
    case badJSON = "bad JSON"
    case missingField = "missing field"
    case badLayout = "unrecognised layout"
}

/// Result of parsing one line.
public enum ParseOutcome: Sendable, Equatable {
    case record(LogRecord)
    case malformed(MalformedReason)
}
