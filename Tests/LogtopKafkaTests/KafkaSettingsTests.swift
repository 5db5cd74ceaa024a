import Testing
@testable import LogtopKafka

@Suite struct KafkaSettingsTests {
    let secure = KafkaSettings(
        bootstrapServers: "kafka.example:9093", clientId: "test", securityProtocol: .saslSSL,
        saslUsername: "alice", saslPassword: "hunter2-secret-value", sslCALocation: "/etc/ca.pem",
        extra: ["ssl.key.password": "keypass-value", "my.api.secret": "s3cr3t-value", "linger.ms": "20"])

    @Test func producerPropertiesAreIdempotentAndSecure() {
        let props = secure.producerProperties()
        #expect(props["enable.idempotence"] == "true")
        #expect(props["acks"] == "all")
        #expect(props["compression.type"] == "lz4")
        #expect(props["bootstrap.servers"] == "kafka.example:9093")
        #expect(props["security.protocol"] == "sasl_ssl")
        #expect(props["sasl.mechanisms"] == "PLAIN")
        #expect(props["sasl.username"] == "alice")
        #expect(props["sasl.password"] == "hunter2-secret-value")
        #expect(props["ssl.ca.location"] == "/etc/ca.pem")
        #expect(props["ssl.endpoint.identification.algorithm"] == "https")
        #expect(props["linger.ms"] == "20", "extra (-X) overrides defaults")
    }

    @Test func plaintextSendsNoCredentials() {
        var settings = secure
        settings.securityProtocol = .plaintext
        let props = settings.producerProperties()
        #expect(props["sasl.password"] == nil)
        #expect(props["sasl.username"] == nil)
        #expect(props["ssl.ca.location"] == nil)
        #expect(KafkaSettings().producerProperties()["bootstrap.servers"] == nil)
    }

    @Test func consumerPropertiesAreAtLeastOnce() {
        let props = KafkaSettings(bootstrapServers: "b:9092").consumerProperties(group: "g1", autoCommitIntervalMs: 250)
        #expect(props["group.id"] == "g1")
        #expect(props["enable.auto.offset.store"] == "false")
        #expect(props["enable.auto.commit"] == "true")
        #expect(props["auto.commit.interval.ms"] == "250")
        #expect(props["auto.offset.reset"] == "earliest")
        #expect(props["session.timeout.ms"] == nil)
        #expect(props["enable.idempotence"] == nil)

        let tuned = KafkaSettings(bootstrapServers: "b:9092", tunedForEmbeddedCluster: true).consumerProperties(group: "g")
        #expect(tuned["session.timeout.ms"] == "6000")
        #expect(Int(tuned["fetch.wait.max.ms"] ?? "") ?? 1000 <= 100)
        #expect(tuned["auto.commit.interval.ms"] == "1000")
    }

    @Test func redactionHidesEverySecret() {
        let redacted = KafkaSettings.redacted(secure.producerProperties())
        #expect(redacted["sasl.password"] == "[redacted]")
        #expect(redacted["ssl.key.password"] == "[redacted]")
        #expect(redacted["my.api.secret"] == "[redacted]")
        #expect(redacted["sasl.username"] == "alice")
        #expect(redacted["bootstrap.servers"] == "kafka.example:9093")

        let text = secure.redactedDescription
        for secret in ["hunter2-secret-value", "keypass-value", "s3cr3t-value"] {
            #expect(!text.contains(secret))
        }
        #expect(text.contains("sasl.password=[redacted]"))
        #expect(text.contains("sasl.username=alice"))
        // Rendering leaves the value untouched.
        #expect(secure.saslPassword == "hunter2-secret-value")
        #expect(secure.producerProperties()["sasl.password"] == "hunter2-secret-value")
    }
}
