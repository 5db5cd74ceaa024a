import Foundation
import LogtopKafka
import Testing
@testable import LogtopPipeline

@Suite struct KafkaSettingsPrecedence {
    @Test func noBrokerAnywhereMeansEmbedded() {
        #expect(KafkaConfigResolver(environment: [:], dotenv: ["KAFKA_USERNAME": "u", "KAFKA_PASSWORD": "p"]).resolve() == nil)
    }

    @Test func flagsBeatEnvironmentWhichBeatsDotenv() throws {
        let env = ["KAFKA_BOOTSTRAP_SERVERS": "env:9092"]
        let dotenv = ["KAFKA_BOOTSTRAP_SERVERS": "dotenv:9092"]
        #expect(KafkaConfigResolver(brokersFlag: "flag:9092", environment: env, dotenv: dotenv).resolve()?.bootstrapServers == "flag:9092")
        #expect(KafkaConfigResolver(environment: env, dotenv: dotenv).resolve()?.bootstrapServers == "env:9092")
        #expect(KafkaConfigResolver(environment: [:], dotenv: dotenv).resolve()?.bootstrapServers == "dotenv:9092")
        // An empty environment value does not hide the .env one.
        #expect(KafkaConfigResolver(environment: ["KAFKA_BOOTSTRAP_SERVERS": ""], dotenv: dotenv).resolve()?.bootstrapServers == "dotenv:9092")
    }

    @Test func credentialsSelectSaslSSL() throws {
        let s = try #require(KafkaConfigResolver(
            brokersFlag: "b:9093", environment: ["KAFKA_PASSWORD": "from-env"],
            dotenv: ["KAFKA_USERNAME": "admin", "KAFKA_PASSWORD": "from-dotenv"]).resolve())
        #expect(s.securityProtocol == .saslSSL)
        #expect(s.saslUsername == "admin")
        #expect(s.saslPassword == "from-env")
        let plain = try #require(KafkaConfigResolver(brokersFlag: "b:9092", environment: [:], dotenv: [:]).resolve())
        #expect(plain.securityProtocol == .plaintext && plain.saslPassword == nil)
    }

    @Test func extraPropertiesPassThrough() throws {
        let extra = try KafkaConfigResolver.parseExtra(["linger.ms=20", "client.rack=a=b"])
        #expect(extra == ["linger.ms": "20", "client.rack": "a=b"])
        #expect(throws: PipelineError.self) { try KafkaConfigResolver.parseExtra(["novalue"]) }
        let s = try #require(KafkaConfigResolver(brokersFlag: "b:1", extra: extra, environment: [:], dotenv: [:]).resolve())
        #expect(s.producerProperties()["linger.ms"] == "20")
    }

    @Test func envFileParsing() {
        let v = EnvFile.parse("""
        # comment
        KAFKA_USERNAME=admin
        export KAFKA_PASSWORD="admin-secret"
        QUOTED='a b'
        TRAILING=value # note
        BROKEN LINE
        """)
        #expect(v == ["KAFKA_USERNAME": "admin", "KAFKA_PASSWORD": "admin-secret", "QUOTED": "a b", "TRAILING": "value"])
    }
}

@Suite struct SmallParsers {
    @Test func durations() {
        #expect(DurationParser.seconds("90") == 90)
        #expect(DurationParser.seconds("90s") == 90)
        #expect(DurationParser.seconds("5m") == 300)
        #expect(DurationParser.seconds("1h30m") == 5400)
        #expect(DurationParser.seconds("500ms") == 0.5)
        #expect(DurationParser.seconds("abc") == nil)
        #expect(DurationParser.seconds("5x") == nil)
    }

    @Test func sources() {
        #expect(SourceSpec(parsing: "file:/tmp/a.log") == .file("/tmp/a.log"))
        #expect(SourceSpec(parsing: "stdin") == .stdin)
        #expect(SourceSpec(parsing: "-") == .stdin)
        #expect(SourceSpec(parsing: "none") == SourceSpec.none)
        #expect(SourceSpec(parsing: "generator") == .generator)
        #expect(SourceSpec(parsing: "file:") == nil)
        #expect(SourceSpec(parsing: "http://x") == nil)
    }

    @Test func lineSplitterBoundsMemoryAndKeepsPartialLines() {
        var s = LineSplitter(maxLine: 16)
        var out: [String] = []
        let collect: (UnsafeBufferPointer<UInt8>) -> Void = { out.append(String(decoding: $0, as: UTF8.self)) }
        for chunk in ["ab", "c\nde", "f\n", String(repeating: "x", count: 40), "y\nlast"] {
            Array(chunk.utf8).withUnsafeBufferPointer { s.feed($0, collect) }
            #expect(s.pendingBytes <= 16)
        }
        #expect(out == ["abc", "def", String(repeating: "x", count: 16) + "…[cut]"])
        s.finish(collect)
        #expect(out.last == "last")
        #expect(s.cutLines == 1)
    }
}

@Suite struct Unreachable {
    @Test func configuredBrokerThatIsDownFailsFastWithTheAddress() throws {
        var c = PipelineConfig()
        c.kafka = KafkaSettings(bootstrapServers: "127.0.0.1:1")
        let start = Date()
        do {
            _ = try Pipeline(config: c)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("127.0.0.1:1"))
        }
        #expect(Date().timeIntervalSince(start) < 15)
    }
}
