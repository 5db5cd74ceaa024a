import Foundation

/// An error reported asynchronously by librdkafka (error callback, fatal error,
/// or a consumer error), kept by clients in a short "recent errors" list so an
/// application can show it or exit with a clear message.
public struct KafkaErrorEvent: Sendable, Equatable, CustomStringConvertible {
    /// The error code, e.g. `.allBrokersDown`, `.authentication`.
    public var code: KafkaErrorCode
    /// librdkafka's reason string (may name a broker address).
    public var reason: String
    /// True when the client is unusable and must be recreated
    /// (e.g. an idempotent producer lost its guarantees).
    public var isFatal: Bool
    /// When the error was recorded.
    public var time: Date

    public init(code: KafkaErrorCode, reason: String, isFatal: Bool = false, time: Date = Date()) {
        self.code = code
        self.reason = reason
        self.isFatal = isFatal
        self.time = time
    }

    public var description: String {
        (isFatal ? "fatal " : "") + "\(code.name): \(reason)"
    }
}
