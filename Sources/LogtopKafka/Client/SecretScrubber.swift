import Foundation

/// Replaces secret values (passwords, key material) with "[redacted]" in any text.
///
/// librdkafka's messages do not quote `sasl.password`, but a client's texts go to screens, logs and
/// results files: every error and log text recorded from librdkafka is scrubbed, so a secret cannot
/// leak through an unexpected message either.
public struct SecretScrubber: Sendable, Equatable {
    /// The values hidden, longest first (so a secret containing another is hidden whole).
    public private(set) var secrets: [String]

    /// Values shorter than this are not searched for: hiding every "a" would garble texts, and
    /// such a value is no secret anyway.
    public static let minimumLength = 4

    public init(_ secrets: [String] = []) {
        self.secrets = Array(Set(secrets.filter { $0.count >= Self.minimumLength })).sorted { $0.count > $1.count }
    }

    /// A scrubber for the secret values among `props` (see `KafkaSettings.isSecret(key:)`).
    public init(properties props: [String: String]) {
        self.init(props.filter { KafkaSettings.isSecret(key: $0.key) }.map(\.value))
    }

    /// `text` with every secret value replaced by "[redacted]".
    public func scrub(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        var out = text
        for secret in secrets where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: KafkaSettings.redactedPlaceholder)
        }
        return out
    }
}
