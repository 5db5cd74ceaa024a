/// A log line emitted by librdkafka at warning level or more severe.
///
/// Clients install a log callback so librdkafka never writes to stderr (which
/// would corrupt a full-screen terminal UI); the lines are kept here instead.
public struct KafkaLogLine: Sendable, Equatable, CustomStringConvertible {
    /// syslog level: 0 emergency ... 3 error, 4 warning.
    public var level: Int
    /// librdkafka facility, e.g. "FAIL", "OFFSET", "ERROR".
    public var facility: String
    /// The message text.
    public var message: String

    public init(level: Int, facility: String, message: String) {
        self.level = level
        self.facility = facility
        self.message = message
    }

    public var description: String { "[\(facility)] \(message)" }
}
