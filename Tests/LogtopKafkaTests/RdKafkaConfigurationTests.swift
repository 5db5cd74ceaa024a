import CRdKafka
import Testing
@testable import LogtopKafka

@Suite struct RdKafkaConfigurationTests {
    @Test func unknownPropertyIsNamed() {
        let settings = KafkaSettings(bootstrapServers: "127.0.0.1:1", extra: ["no.such.property": "1"])
        #expect {
            _ = try LogProducer(settings: settings)
        } throws: { error in
            guard let error = error as? KafkaError else { return false }
            return error.kind == .configuration && error.key == "no.such.property"
                && error.description.contains("no.such.property")
        }
    }

    @Test func invalidValueIsNamed() {
        let settings = KafkaSettings(bootstrapServers: "127.0.0.1:1", extra: ["acks": "banana"])
        #expect {
            _ = try LogProducer(settings: settings)
        } throws: { error in
            (error as? KafkaError)?.key == "acks" && (error as? KafkaError)?.kind == .configuration
        }
        #expect(throws: KafkaError.self) {
            _ = try LogConsumer(settings: settings, group: "g", overrides: ["session.timeout.ms": "-5"])
        }
    }

    @Test func secretValuesAreNeverEchoed() throws {
        do {
            _ = try RdKafkaConfiguration.makeConf(["bogus.password": "hunter2-value", "client.id": "x"])
            Issue.record("an unknown property must be rejected")
        } catch {
            #expect(error.key == "bogus.password")
            #expect(!error.description.contains("hunter2-value"))
        }
    }

    @Test func validPropertiesBuildAConf() throws {
        let conf = try RdKafkaConfiguration.makeConf(KafkaSettings(bootstrapServers: "b:1").producerProperties())
        rd_kafka_conf_destroy(conf)
    }
}
