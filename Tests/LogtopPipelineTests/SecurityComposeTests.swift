import Foundation
import LogtopTestSupport
import LogtopKafka
import LogtopPipeline
import Testing

/// docker-compose.yml cannot run here (no Docker engine, on our machines or in CI): it is checked
/// statically by scripts/check-compose.py against the compiled `ComposeKafkaDefaults`, and its
/// certificate script runs for real on the host (keytool) and its output is used by logtop.
@Suite(.serialized) struct SecurityComposeTests {
    static let root = LogtopRun.packageRoot

    static var expected: String {
        let values: [String: Any] = [
            "host": ComposeKafkaDefaults.host, "port": ComposeKafkaDefaults.port,
            "listenerName": ComposeKafkaDefaults.listenerName, "saslMechanism": ComposeKafkaDefaults.saslMechanism,
            "caPath": ComposeKafkaDefaults.caPath, "certificateNames": ComposeKafkaDefaults.certificateNames,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: values, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    func check(_ compose: String = root + "/docker-compose.yml") -> (Int32, String) {
        runTool(["python3", Self.root + "/scripts/check-compose.py", "--compose", compose, "--expect", Self.expected])
    }

    @Test func theComposeFileMatchesLogtopsDefaults() {
        let (status, output) = check()
        #expect(status == 0, "\(output)")
        #expect(output.contains(" 0 failed"), "\(output)")
    }

    @Test func theDemoDotenvHoldsTheCredentialsButNoBroker() throws {
        let values = EnvFileValues.read(Self.root + "/.env")
        #expect(values["KAFKA_USERNAME"] == "admin")
        #expect(values["KAFKA_PASSWORD"] == "admin-secret")
        #expect(values["KAFKA_BOOTSTRAP_SERVERS"] == nil, "plain `swift run logtop` keeps the embedded cluster")
    }

    /// The check is worth something only if it fails on drift: each mutation must be caught.
    @Test func theCheckCatchesDrift() throws {
        let original = try String(contentsOfFile: Self.root + "/docker-compose.yml", encoding: .utf8)
        let mutations: [(String, String, String)] = [
            ("\"127.0.0.1:9093:9093\"", "\"127.0.0.1:9094:9093\"", "published on host port \(ComposeKafkaDefaults.port)"),
            ("\"127.0.0.1:9093:9093\"", "\"9093:9093\"", "published on loopback only"),
            ("./secrets:/ca-out", "./certs:/ca-out", "the CA lands at logtop's default CA path"),
            ("KAFKA_SASL_ENABLED_MECHANISMS: PLAIN", "KAFKA_SASL_ENABLED_MECHANISMS: SCRAM-SHA-512", "sasl.enabled.mechanisms has PLAIN"),
            ("SASL_SSL://localhost:9093", "SASL_SSL://127.0.0.2:9093", "is advertised as localhost:9093"),
            ("condition: service_completed_successfully", "condition: service_started", "kafka waits for kafka-certs"),
            ("${KAFKA_PASSWORD:?", "${KAFKA_PASS:?", "takes the users from .env"),
            ("KAFKA_SSL_KEYSTORE_FILENAME: kafka.keystore.p12", "KAFKA_SSL_KEYSTORE_FILENAME: broker.jks", "KAFKA_SSL_KEYSTORE_FILENAME names a file"),
            ("\"localhost:9093\",", "\"localhost:19092\",", "the healthcheck uses the SASL_SSL listener"),
            ("- \"127.0.0.1:9093:9093\"", "- \"127.0.0.1:9093:9093\"\n      - \"127.0.0.1:19092:19092\"", "published listener INTERNAL is encrypted"),
        ]
        let dir = try temporaryDirectory("canary")
        try FileManager.default.createDirectory(atPath: dir + "/docker", withIntermediateDirectories: true)
        for file in [".env", ".gitignore", "docker/kafka-certs.sh"] {
            try FileManager.default.copyItem(atPath: Self.root + "/" + file, toPath: dir + "/" + file)
        }
        for (from, to, failure) in mutations {
            #expect(original.contains(from), "the mutation \(from) no longer applies")
            try original.replacingOccurrences(of: from, with: to).write(toFile: dir + "/docker-compose.yml", atomically: true, encoding: .utf8)
            let (status, output) = check(dir + "/docker-compose.yml")
            #expect(status == 1, "\(from) -> \(to) not caught:\n\(output)")
            #expect(output.contains("FAIL") && output.contains(failure), "\(from) -> \(to):\n\(output)")
        }
        // Broken YAML.
        try "services: [kafka\n".write(toFile: dir + "/docker-compose.yml", atomically: true, encoding: .utf8)
        #expect(check(dir + "/docker-compose.yml").0 == 1)
    }

    /// The certificate script of the compose file, run on this machine (keytool, like the image's JRE):
    /// its CA and broker certificate, with the `.env` credentials and logtop's defaults (no --ca, no
    /// --username: `./secrets/ca.crt` and `./.env`), give a SASL_SSL connection with host-name verification
    /// to a SASL/PLAIN peer presenting that certificate.
    @Test(.timeLimit(.minutes(5)))
    func theComposeCertificatesWorkWithLogtopsDefaults() throws {
        _ = try requireTool("keytool", package: "default-jre-headless")
        let work = try temporaryDirectory("canary")
        let volume = work + "/kafka-secrets", project = work + "/project"
        let password = "compose-canary-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
        let (status, output) = runTool(["env", "SASL_USERNAME=admin", "SASL_PASSWORD=\(password)", "SECRETS_DIR=\(volume)",
                                        "CA_OUT_DIR=\(project)/secrets", "bash", Self.root + "/docker/kafka-certs.sh"])
        try #require(status == 0, "\(output)")
        #expect(!output.contains(password))
        let ca = project + "/" + ComposeKafkaDefaults.caPath
        #expect(FileManager.default.fileExists(atPath: ca))
        let jaas = try String(contentsOfFile: volume + "/kafka_server_jaas.conf", encoding: .utf8)
        #expect(jaas.contains("user_admin=\"\(password)\""))
        #expect(EnvFileValues.mode(volume + "/kafka_server_jaas.conf") == 0o600)

        // The broker's key and certificate out of the PKCS12 keystore, with the password the image reads.
        let storePass = try String(contentsOfFile: volume + "/keystore_creds", encoding: .utf8)
        for (what, out) in [("-nokeys", "leaf.pem"), ("-nocerts", "leaf.key")] {
            let (s, o) = runTool(["openssl", "pkcs12", "-in", volume + "/kafka.keystore.p12", "-passin", "pass:\(storePass)",
                                  what, "-clcerts", "-nodes", "-out", work + "/" + out])
            try #require(s == 0, "\(o)")
        }
        for name in ComposeKafkaDefaults.certificateNames {
            let flag = name.allSatisfy { $0.isNumber || $0 == "." } ? "-verify_ip" : "-verify_hostname"
            let (s, o) = runTool(["openssl", "verify", "-CAfile", ca, flag, name, work + "/leaf.pem"])
            #expect(s == 0, "\(name): \(o)")
        }
        #expect(runTool(["openssl", "verify", "-CAfile", ca, "-verify_hostname", "kafka.example.com", work + "/leaf.pem"]).0 != 0)

        // The running stack, minus the JVM: a SASL/PLAIN peer with that certificate, and logtop started the
        // way the README says, from a folder with .env and secrets/ca.crt.
        let broker = try SecurityTestPeer.fakeBroker(users: ["admin": password], cert: work + "/leaf.pem", key: work + "/leaf.key")
        try "KAFKA_USERNAME=admin\nKAFKA_PASSWORD=\(password)\n".write(toFile: project + "/.env", atomically: true, encoding: .utf8)
        chmod(project + "/.env", 0o600)
        let run = try LogtopRun(["--batch", "--brokers", "\(ComposeKafkaDefaults.host):\(broker.port)"], in: project)
        try run.finish(timeout: 30)
        #expect(run.stderr.contains("(SASL_SSL, PLAIN as admin, CA \(ComposeKafkaDefaults.caPath), host name verified)"), "\(run.stderr)")
        #expect(waitUntil(5) { broker.output.lines.contains("AUTH ok admin") }, "\(broker.output.lines) \(run.stderr)")
        #expect(run.stderr.contains("fake broker: no topics here"), "got past TLS and SASL: \(run.stderr)")
        try run.expectNoCanary(password, skipping: [".env"])
    }
}

/// Reads KEY=value files the way docker compose and logtop do (enough for the demo .env).
enum EnvFileValues {
    static func read(_ path: String) -> [String: String] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            out[String(line[..<eq]).trimmingCharacters(in: .whitespaces)] = String(line[line.index(after: eq)...])
        }
        return out
    }

    static func mode(_ path: String) -> UInt16? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return UInt16(truncatingIfNeeded: st.st_mode & 0o7777)
    }
}
