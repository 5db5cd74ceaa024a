import ArgumentParser
import Foundation
import LogtopCore
import LogtopKafka
import LogtopPipeline

/// Where Kafka is and how to reach it, shared by every command that talks to Kafka.
struct KafkaOptions: ParsableArguments {
    @Option(help: "Kafka bootstrap servers (host:port,...). Default: KAFKA_BOOTSTRAP_SERVERS, else the embedded cluster.")
    var brokers: String?

    @Option(name: .customShort("X"), help: ArgumentHelp("Any librdkafka property, e.g. -X linger.ms=10 (repeatable).", valueName: "key=value"))
    var properties: [String] = []

    @Option(name: .customLong("env-file"), help: ArgumentHelp(
        "File of KAFKA_* settings (KEY=value lines); flags and the environment win over it. Default: ./.env if it exists.",
        valueName: "path"))
    var envFile: String?

    @Option(help: "SASL user name. Default: KAFKA_USERNAME (environment, then .env). There is no password flag (command lines are visible to every user): the password comes from KAFKA_PASSWORD or --password-file.")
    var username: String?

    @Option(name: .customLong("password-file"), help: ArgumentHelp("File holding the SASL password, instead of KAFKA_PASSWORD.", valueName: "path"))
    var passwordFile: String?

    @Option(help: ArgumentHelp("CA certificate (PEM) that signed the broker certificate. Default: KAFKA_SSL_CA_LOCATION, else the docker compose Kafka's secrets/ca.crt when it exists and the broker is localhost, else the system store.", valueName: "path"))
    var ca: String?

    @Flag(name: .customLong("insecure-plaintext-sasl"), help: "Send the SASL/PLAIN user name and password WITHOUT TLS (security.protocol=sasl_plaintext): refused unless this flag is given.")
    var insecurePlaintextSASL = false

    @Flag(name: .customLong("show-config"), help: "Print the effective Kafka configuration (secrets redacted) and exit.")
    var showConfig = false

    /// Resolves the Kafka settings (flags > environment > .env > defaults); exits with the fix when
    /// they are unusable (a password on the command line, SASL/PLAIN without TLS, a missing CA file...).
    func kafkaResolution() -> KafkaResolution {
        do {
            let dotenv = try EnvFile.load(envFile ?? ".env", required: envFile != nil)
            let password = try passwordFile.map { path in
                let secret = try EnvFile.readSecret(path)
                return KafkaConfigResolver.SecretFileValue(path: path, value: secret.value, mode: secret.mode)
            }
            let resolver = KafkaConfigResolver(
                brokersFlag: brokers, usernameFlag: username, caFlag: ca, passwordFile: password,
                insecurePlaintextSASL: insecurePlaintextSASL, extra: try KafkaConfigResolver.parseExtra(properties),
                environment: ProcessInfo.processInfo.environment, dotenv: dotenv.values,
                dotenvPath: envFile ?? ".env", dotenvMode: dotenv.mode)
            return try resolver.resolution()
        } catch {
            fail("\(error)")
        }
    }
}
