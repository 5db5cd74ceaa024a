/// How the repository's `docker-compose.yml` Kafka is reached from the host: the one place these
/// values live on the logtop side.
///
/// `scripts/check-compose.py` checks the compose file against them (a test passes the compiled values
/// in), so the listener, port, SASL mechanism and CA path of the compose file and logtop's defaults
/// cannot drift apart silently.
public enum ComposeKafkaDefaults {
    /// Host name the compose broker advertises to clients on the host.
    public static let host = "localhost"
    /// Host port of the SASL_SSL listener (published as the same port in the container).
    public static let port = 9093
    /// `--brokers` value for the compose broker.
    public static var bootstrapServers: String { "\(host):\(port)" }
    /// Name of the client listener in the compose file; it is also its security protocol.
    public static let listenerName = "SASL_SSL"
    /// SASL mechanism enabled on that listener and used by logtop by default.
    public static let saslMechanism = "PLAIN"
    /// CA certificate the compose init service writes on the host, relative to the working directory.
    /// logtop uses it by default when credentials are set, no CA is given and the file exists.
    public static let caPath = "secrets/ca.crt"
    /// Names the compose broker certificate is valid for (its subject alternative names).
    public static let certificateNames = ["localhost", "127.0.0.1", "kafka"]
}
