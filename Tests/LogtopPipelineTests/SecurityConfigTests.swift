import Foundation
import LogtopKafka
import Testing
@testable import LogtopPipeline

/// Configuration rendering for every combination of credentials, CA, explicit security protocol and
/// `--insecure-plaintext-sasl`: the librdkafka properties logtop would use, or the refusal.
@Suite struct SecurityConfigRendering {
    static let password = "render-canary-7f3a"

    enum Credentials: CaseIterable { case none, pair, userOnly, passwordOnly }
    enum CA: CaseIterable { case none, flag, environment, dotenv, composeFileExists }
    enum Explicit: CaseIterable { case none, plaintext, ssl, saslSSL, saslPlaintext }

    func resolver(_ credentials: Credentials, _ ca: CA, _ explicit: Explicit, insecure: Bool,
                  brokers: String = "localhost:9093") -> KafkaConfigResolver {
        var env: [String: String] = [:]
        var dotenv: [String: String] = [:]
        switch credentials {
        case .none: break
        case .pair: dotenv["KAFKA_USERNAME"] = "admin"; env["KAFKA_PASSWORD"] = Self.password
        case .userOnly: dotenv["KAFKA_USERNAME"] = "admin"
        case .passwordOnly: env["KAFKA_PASSWORD"] = Self.password
        }
        var caFlag: String?
        switch ca {
        case .none, .composeFileExists: break
        case .flag: caFlag = "/flag/ca.pem"
        case .environment: env["KAFKA_SSL_CA_LOCATION"] = "/env/ca.pem"
        case .dotenv: dotenv["KAFKA_SSL_CA_LOCATION"] = "/dotenv/ca.pem"
        }
        var extra: [String: String] = [:]
        switch explicit {
        case .none: break
        case .plaintext: extra["security.protocol"] = "plaintext"
        case .ssl: extra["security.protocol"] = "ssl"
        case .saslSSL: extra["security.protocol"] = "SASL_SSL"
        case .saslPlaintext: env["KAFKA_SECURITY_PROTOCOL"] = "sasl_plaintext"
        }
        let composeCA = ca == .composeFileExists
        return KafkaConfigResolver(
            brokersFlag: brokers, caFlag: caFlag, insecurePlaintextSASL: insecure, extra: extra,
            environment: env, dotenv: dotenv,
            fileExists: { path in path == ComposeKafkaDefaults.caPath ? composeCA : true })
    }

    /// What the rules say for one combination: the protocol, or that it is refused.
    func expected(_ credentials: Credentials, _ ca: CA, _ explicit: Explicit, insecure: Bool) -> KafkaSettings.SecurityProtocol? {
        let explicitCA = [.flag, .environment, .dotenv].contains(ca)
        let proto: KafkaSettings.SecurityProtocol
        switch explicit {
        case .plaintext: proto = .plaintext
        case .ssl: proto = .ssl
        case .saslSSL: proto = .saslSSL
        case .saslPlaintext: proto = .saslPlaintext
        case .none:
            proto = credentials != .none ? (insecure ? .saslPlaintext : .saslSSL) : (explicitCA ? .ssl : .plaintext)
        }
        if proto.usesSASL && credentials != .pair { return nil }          // half (or no) credentials
        if proto == .saslPlaintext && !insecure { return nil }             // PLAIN in clear, not asked for
        return proto
    }

    @Test(arguments: Credentials.allCases, CA.allCases)
    func everyCombinationRendersOrIsRefused(credentials: Credentials, ca: CA) throws {
        for explicit in Explicit.allCases {
            for insecure in [false, true] {
                let r = resolver(credentials, ca, explicit, insecure: insecure)
                let want = expected(credentials, ca, explicit, insecure: insecure)
                let label = "\(credentials) \(ca) \(explicit) insecure=\(insecure)"
                guard let want else {
                    do {
                        _ = try r.resolution()
                        Issue.record("\(label): expected a refusal")
                    } catch {
                        #expect(!"\(error)".contains(Self.password), "\(label)")
                        #expect((error as? PipelineError)?.hint != nil, "\(label): the refusal says how to fix it")
                    }
                    continue
                }
                let resolution = try r.resolution()
                let s = try #require(resolution.settings, "\(label)")
                let props = s.producerProperties()
                #expect(props["security.protocol"] == want.rawValue, "\(label)")
                #expect(props["bootstrap.servers"] == "localhost:9093")
                if want.usesSASL {
                    #expect(props["sasl.mechanisms"] == "PLAIN", "\(label)")
                    #expect(props["sasl.username"] == "admin", "\(label)")
                    #expect(props["sasl.password"] == Self.password, "\(label)")
                } else {
                    #expect(props["sasl.password"] == nil && props["sasl.username"] == nil, "\(label): no credentials sent")
                    if credentials != .none {
                        #expect(resolution.notices.contains { $0.contains("not used") }, "\(label): unused credentials are mentioned")
                    }
                }
                if want.usesTLS {
                    #expect(props["ssl.endpoint.identification.algorithm"] == "https", "\(label): host name verified")
                    let ca: String? = switch ca {
                    case .none: nil
                    case .flag: "/flag/ca.pem"
                    case .environment: "/env/ca.pem"
                    case .dotenv: "/dotenv/ca.pem"
                    case .composeFileExists: ComposeKafkaDefaults.caPath
                    }
                    #expect(props["ssl.ca.location"] == ca, "\(label)")
                } else {
                    #expect(props["ssl.ca.location"] == nil, "\(label)")
                }
                if want == .saslPlaintext {
                    #expect(s.allowsPlaintextSASL)
                    #expect(resolution.notices.contains { $0.hasPrefix("WARNING") && $0.contains("WITHOUT encryption") }, "\(label)")
                }
                // Nothing meant for people holds the password.
                for text in resolution.notices + [resolution.describe(), s.connectionSummary, s.redactedDescription] {
                    #expect(!text.contains(Self.password), "\(label): \(text)")
                }
            }
        }
    }

    @Test func caPrecedenceIsFlagThenEnvironmentThenDotenvThenCompose() throws {
        func ca(flag: String?, env: String?, dotenv: String?, compose: Bool) throws -> String? {
            var e = ["KAFKA_USERNAME": "u", "KAFKA_PASSWORD": "p4ssword"]
            var d: [String: String] = [:]
            if let env { e["KAFKA_SSL_CA_LOCATION"] = env }
            if let dotenv { d["KAFKA_SSL_CA_LOCATION"] = dotenv }
            return try KafkaConfigResolver(brokersFlag: "localhost:9093", caFlag: flag, environment: e, dotenv: d,
                                           fileExists: { $0 == ComposeKafkaDefaults.caPath ? compose : true }).resolve()?.sslCALocation
        }
        #expect(try ca(flag: "/f", env: "/e", dotenv: "/d", compose: true) == "/f")
        #expect(try ca(flag: nil, env: "/e", dotenv: "/d", compose: true) == "/e")
        #expect(try ca(flag: nil, env: nil, dotenv: "/d", compose: true) == "/d")
        #expect(try ca(flag: nil, env: nil, dotenv: nil, compose: true) == ComposeKafkaDefaults.caPath)
        #expect(try ca(flag: nil, env: nil, dotenv: nil, compose: false) == nil, "the system store")
    }

    @Test func theComposeCAIsOnlyAssumedForTheComposeBroker() throws {
        func ca(_ brokers: String) throws -> String? {
            try KafkaConfigResolver(brokersFlag: brokers, environment: ["KAFKA_USERNAME": "u", "KAFKA_PASSWORD": "p4ssword"],
                                    dotenv: [:], fileExists: { _ in true }).resolve()?.sslCALocation
        }
        #expect(try ca(ComposeKafkaDefaults.bootstrapServers) == ComposeKafkaDefaults.caPath)
        #expect(try ca("127.0.0.1:9093") == ComposeKafkaDefaults.caPath)
        #expect(try ca("kafka.example.com:9093") == nil, "a real cluster: the system store, not our dev CA")
        #expect(try ca("localhost:9093,kafka.example.com:9093") == nil)
    }

    @Test func aMissingCAFileIsNamed() {
        let r = KafkaConfigResolver(brokersFlag: "b:9093", caFlag: "/nonexistent/ca.pem",
                                    environment: ["KAFKA_USERNAME": "u", "KAFKA_PASSWORD": "p4ssword"], dotenv: [:])
        #expect {
            try r.resolution()
        } throws: { error in
            "\(error)".contains("--ca /nonexistent/ca.pem: no such file")
        }
    }

    @Test func secretsOnTheCommandLineAreRefused() {
        for key in ["sasl.password", "ssl.key.password", "ssl.keystore.password", "sasl.oauthbearer.client.secret"] {
            let r = KafkaConfigResolver(brokersFlag: "b:9093", extra: [key: "cmdline-secret"], environment: [:], dotenv: [:])
            #expect {
                try r.resolution()
            } throws: { error in
                "\(error)".contains("/proc/PID/cmdline") && !"\(error)".contains("cmdline-secret")
            }
        }
    }

    @Test func aUserNameGivenWithDashXCounts() throws {
        let s = try #require(try KafkaConfigResolver(brokersFlag: "b:9093", extra: ["sasl.username": "bob"],
                                                     environment: ["KAFKA_USERNAME": "alice", "KAFKA_PASSWORD": "p4ssword"],
                                                     dotenv: [:]).resolve())
        #expect(s.securityProtocol == .saslSSL)
        #expect(s.producerProperties()["sasl.username"] == "bob")
    }

    @Test func turningVerificationOffIsWarnedAbout() throws {
        let creds = ["KAFKA_USERNAME": "u", "KAFKA_PASSWORD": "p4ssword"]
        let noHost = try KafkaConfigResolver(brokersFlag: "b:9093", extra: ["ssl.endpoint.identification.algorithm": "none"],
                                             environment: creds, dotenv: [:]).resolution()
        #expect(noHost.notices.contains { $0.contains("host name is NOT verified") })
        #expect(noHost.settings?.connectionSummary.contains("host name NOT verified") == true)
        let noCert = try KafkaConfigResolver(brokersFlag: "b:9093", extra: ["enable.ssl.certificate.verification": "false"],
                                             environment: creds, dotenv: [:]).resolution()
        #expect(noCert.notices.contains { $0.contains("certificate is NOT verified") && $0.contains("password") })
    }

    @Test func aReadableDotenvWithThePasswordIsPointedOutHelpfully() throws {
        func notices(mode: UInt16?, passwordIn: String) throws -> [String] {
            var env: [String: String] = [:]
            var dotenv = ["KAFKA_USERNAME": "admin"]
            if passwordIn == "dotenv" { dotenv["KAFKA_PASSWORD"] = "admin-secret" } else { env["KAFKA_PASSWORD"] = "env-secret" }
            return try KafkaConfigResolver(brokersFlag: "b:9093", environment: env, dotenv: dotenv,
                                           dotenvPath: ".env", dotenvMode: mode).resolution().notices
        }
        let loose = try notices(mode: 0o644, passwordIn: "dotenv")
        #expect(loose.count == 1)
        #expect(loose.first?.contains("chmod 600 .env") == true)
        #expect(loose.first?.contains("0644") == true)
        #expect(loose.first?.hasPrefix("note:") == true, "helpful, not alarming")
        #expect(!(loose.first ?? "").contains("admin-secret"))
        #expect(try notices(mode: 0o600, passwordIn: "dotenv").isEmpty)
        #expect(try notices(mode: 0o644, passwordIn: "environment").isEmpty, "the .env password is not used")
    }

    @Test func flagsWithoutABrokerSayTheyDoNothing() throws {
        let r = try KafkaConfigResolver(usernameFlag: "u", caFlag: "/x", insecurePlaintextSASL: true,
                                        environment: [:], dotenv: [:]).resolution()
        #expect(r.settings == nil)
        #expect(r.notices.count == 3)
        #expect(r.notices.allSatisfy { $0.contains("no effect without a broker") })
    }

    @Test func showConfigRedactsSecrets() throws {
        let r = try KafkaConfigResolver(
            brokersFlag: "localhost:9093", extra: ["linger.ms": "7"],
            environment: ["KAFKA_USERNAME": "admin", "KAFKA_PASSWORD": "shown-nowhere-9c1"], dotenv: [:],
            fileExists: { _ in false }).resolution()
        let text = r.describe()
        #expect(!text.contains("shown-nowhere-9c1"))
        #expect(text.contains("sasl.password=[redacted]"))
        #expect(text.contains("sasl.username=admin"))
        #expect(text.contains("environment KAFKA_PASSWORD"), "says where it came from")
        #expect(text.contains("security.protocol=sasl_ssl"))
        #expect(text.contains("linger.ms=7"))
        #expect(text.contains("system CA store"))
    }
}
