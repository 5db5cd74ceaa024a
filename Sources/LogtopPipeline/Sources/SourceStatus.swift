import Foundation

/// One source as the front ends see it: its name (the value of the `logtop-source` header of its records),
/// the lines it handed to Kafka, and what it is doing.
public struct SourceStatus: Sendable, Equatable {
    /// Why a source is held back instead of reading (it never drops lines).
    public enum Wait: Sendable, Equatable {
        /// More than `maxBacklog` lines of this run are not analysed yet.
        case analyzer
        /// librdkafka's local queue is full (the cluster is slow or unreachable).
        case kafka
    }

    /// `generator`, `file:/var/log/nginx/access.log`, `stdin`, `tcp://host:port`.
    public var name: String
    /// Lines handed to Kafka.
    public var lines: Int
    public var state: SourceState
    /// Set while the source waits for the analyzer or for Kafka.
    public var waiting: Wait?
    /// Files: rotations (rename) and truncations survived.
    public var rotations: Int
    /// TCP: connections made.
    public var connections: Int
    /// Times the source waited for the analyzer (back-pressure), however briefly.
    public var analyzerWaits = 0

    public init(name: String, lines: Int = 0, state: SourceState = .starting, waiting: Wait? = nil,
                rotations: Int = 0, connections: Int = 0) {
        self.name = name
        self.lines = lines
        self.state = state
        self.waiting = waiting
        self.rotations = rotations
        self.connections = connections
    }

    /// `waiting for analyzer`, `waiting for Kafka`, else the state's text (`following`, `connected`...).
    public func text(now: Double = Date().timeIntervalSince1970) -> String {
        switch waiting {
        case .analyzer?: return "waiting for analyzer"
        case .kafka?: return "waiting for Kafka"
        case nil: return state.text(now: now)
        }
    }
}
