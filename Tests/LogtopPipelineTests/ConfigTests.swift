import Foundation
import LogtopKafka
import Testing
@testable import LogtopPipeline

@Suite struct KafkaSettingsPrecedence {
    /// A resolver that sees no files (no docker compose CA in the working directory).
    func resolver(brokers: String? = nil, username: String? = nil, ca: String? = nil, extra: [String: String] = [:],
                  environment: [String: String] = [:], dotenv: [String: String] = [:]) -> KafkaConfigResolver {
        KafkaConfigResolver(brokersFlag: brokers, usernameFlag: username, caFlag: ca, extra: extra,
                            environment: environment, dotenv: dotenv, fileExists: { _ in true })
    }

    @Test func noBrokerAnywhereMeansEmbedded() throws {
        let r = try resolver(dotenv: ["KAFKA_USERNAME": "u", "KAFKA_PASSWORD": "p"]).resolution()
        #expect(r.settings == nil)
        #expect(r.unusedCredentials == [".env KAFKA_USERNAME", ".env KAFKA_PASSWORD"])
        #expect(r.notices.isEmpty, "credentials unused by the embedded cluster: quiet")
        #expect(r.describe().contains("not used"))
    }

    @Test func flagsBeatEnvironmentWhichBeatsDotenv() throws {
        let env = ["KAFKA_BOOTSTRAP_SERVERS": "env:9092"]
        let dotenv = ["KAFKA_BOOTSTRAP_SERVERS": "dotenv:9092"]
        #expect(try resolver(brokers: "flag:9092", environment: env, dotenv: dotenv).resolve()?.bootstrapServers == "flag:9092")
        #expect(try resolver(environment: env, dotenv: dotenv).resolve()?.bootstrapServers == "env:9092")
        #expect(try resolver(dotenv: dotenv).resolve()?.bootstrapServers == "dotenv:9092")
        // An empty environment value does not hide the .env one.
        #expect(try resolver(environment: ["KAFKA_BOOTSTRAP_SERVERS": ""], dotenv: dotenv).resolve()?.bootstrapServers == "dotenv:9092")
    }

    @Test func credentialsFollowTheSamePrecedence() throws {
        let env = ["KAFKA_USERNAME": "env-user", "KAFKA_PASSWORD": "env-password", "KAFKA_SSL_CA_LOCATION": "/env/ca.pem"]
        let dotenv = ["KAFKA_USERNAME": "dotenv-user", "KAFKA_PASSWORD": "dotenv-password", "KAFKA_SSL_CA_LOCATION": "/dotenv/ca.pem"]
        let fromDotenv = try resolver(brokers: "b:9093", dotenv: dotenv).resolution()
        #expect(fromDotenv.settings?.saslUsername == "dotenv-user")
        #expect(fromDotenv.settings?.saslPassword == "dotenv-password")
        #expect(fromDotenv.settings?.sslCALocation == "/dotenv/ca.pem")
        #expect(fromDotenv.origins["sasl.password"] == ".env KAFKA_PASSWORD")
        let fromEnv = try #require(try resolver(brokers: "b:9093", environment: env, dotenv: dotenv).resolve())
        #expect(fromEnv.saslUsername == "env-user" && fromEnv.saslPassword == "env-password" && fromEnv.sslCALocation == "/env/ca.pem")
        let fromFlags = try #require(try resolver(brokers: "b:9093", username: "flag-user", ca: "/flag/ca.pem", environment: env, dotenv: dotenv).resolve())
        #expect(fromFlags.saslUsername == "flag-user" && fromFlags.sslCALocation == "/flag/ca.pem")
        #expect(fromFlags.saslPassword == "env-password", "no password flag: the environment's")
        var withFile = resolver(brokers: "b:9093", environment: env, dotenv: dotenv)
        withFile.passwordFile = .init(path: "/run/pw", value: "file-password")
        let r = try withFile.resolution()
        #expect(r.settings?.saslPassword == "file-password")
        #expect(r.origins["sasl.password"] == "--password-file /run/pw")
        // Per key: a user from the environment with the .env password is still a pair.
        let mixed = try #require(try resolver(brokers: "b:9093", environment: ["KAFKA_USERNAME": "env-user"], dotenv: dotenv).resolve())
        #expect(mixed.saslUsername == "env-user" && mixed.saslPassword == "dotenv-password")
    }

    @Test func credentialsSelectSaslSSL() throws {
        let s = try #require(try resolver(
            brokers: "b:9093", environment: ["KAFKA_PASSWORD": "from-env"],
            dotenv: ["KAFKA_USERNAME": "admin", "KAFKA_PASSWORD": "from-dotenv"]).resolve())
        #expect(s.securityProtocol == .saslSSL)
        #expect(s.saslUsername == "admin")
        #expect(s.saslPassword == "from-env")
        #expect(s.sslEndpointIdentification == .https)
        let plain = try #require(try resolver(brokers: "b:9092").resolve())
        #expect(plain.securityProtocol == .plaintext && plain.saslPassword == nil)
    }

    @Test func extraPropertiesPassThrough() throws {
        let extra = try KafkaConfigResolver.parseExtra(["linger.ms=20", "client.rack=a=b"])
        #expect(extra == ["linger.ms": "20", "client.rack": "a=b"])
        #expect(throws: PipelineError.self) { try KafkaConfigResolver.parseExtra(["novalue"]) }
        let s = try #require(try resolver(brokers: "b:1", extra: extra).resolve())
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

    @Test func envFileModeAndExplicitPaths() throws {
        let path = try temporaryFile("KAFKA_PASSWORD=pw\n", name: ".env")
        chmod(path, 0o644)
        let loose = try EnvFile.load(path)
        #expect(loose.looseMode && loose.mode == 0o644 && loose.values["KAFKA_PASSWORD"] == "pw")
        chmod(path, 0o600)
        #expect(try EnvFile.load(path).looseMode == false)
        // A missing default ./.env is fine; a missing --env-file is an error naming it.
        #expect(try EnvFile.load("/nonexistent/.env").values.isEmpty)
        #expect(throws: PipelineError.self) { try EnvFile.load("/nonexistent/.env", required: true) }
        // /dev/null disables .env.
        #expect(try EnvFile.load("/dev/null", required: true).values.isEmpty)
        // A password file: its content without the final line break.
        let secret = try temporaryFile("s3cret with spaces \n", name: "pw")
        #expect(try EnvFile.readSecret(secret).value == "s3cret with spaces ")
        let empty = try temporaryFile("\n", name: "empty")
        #expect(throws: PipelineError.self) { try EnvFile.readSecret(empty) }
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
