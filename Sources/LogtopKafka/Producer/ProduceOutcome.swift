/// The result of `LogProducer.produce`.
public enum ProduceOutcome: Sendable, Equatable {
    /// Accepted into the local queue; a delivery report will follow.
    case enqueued
    /// The local queue is full: nothing was enqueued. Back off (e.g. a few
    /// milliseconds) and produce the same record again.
    case queueFull
    /// Rejected immediately (unknown topic, record too large, fatal error,
    /// closed producer, ...); nothing was enqueued.
    case rejected(KafkaError)
}
