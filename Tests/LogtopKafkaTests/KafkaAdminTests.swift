import Testing
@testable import LogtopKafka

@Suite struct KafkaAdminTests {
    @Test func ensureTopicsOnTheEmbeddedCluster() throws {
        let cluster = try EmbeddedKafkaCluster()
        defer { cluster.close() }
        let specs = [KafkaAdmin.TopicSpec(name: "logs", partitions: 8), .init(name: "alerts", partitions: 1)]
        let first = try KafkaAdmin.ensureTopics(specs, settings: cluster.settings(), embeddedCluster: cluster)
        #expect(first == ["logs": .created, "alerts": .created])
        let second = try KafkaAdmin.ensureTopics(specs, settings: cluster.settings(), embeddedCluster: cluster)
        #expect(second == ["logs": .alreadyExists, "alerts": .alreadyExists])
    }

    /// librdkafka 2.0.2's mock does not implement CreateTopics: the admin path
    /// must fail clearly (not hang) when not told about the embedded cluster.
    @Test func createTopicsRequestFailsClearlyOnTheMock() throws {
        let cluster = try EmbeddedKafkaCluster()
        defer { cluster.close() }
        let settings = cluster.settings()
        let outcome = synchronously { () -> Result<[String: KafkaAdmin.TopicOutcome], KafkaError> in
            Result { () throws(KafkaError) in
                try KafkaAdmin.ensureTopics([.init(name: "x", partitions: 2)], settings: settings, timeoutMs: 3000)
            }
        }
        switch outcome {
        case .success(let result): Issue.record("unexpected success: \(result)")
        case .failure(let error): #expect(error.kind == .topicCreation, "\(error)")
        }
    }
}
