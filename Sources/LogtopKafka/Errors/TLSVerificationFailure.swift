/// Why OpenSSL rejected a broker certificate, as reported to librdkafka's certificate-verification
/// callback (`rd_kafka_conf_set_ssl_cert_verify_cb`).
///
/// librdkafka 2.0.2 itself only says "certificate verify failed" whatever the cause; the X.509 error
/// code tells an unknown CA from a host-name mismatch or an expired certificate.
public struct TLSVerificationFailure: Sendable, Equatable, CustomStringConvertible {
    /// The OpenSSL `X509_V_ERR_*` code.
    public var x509Error: Int32
    /// Depth in the chain of the certificate that failed (0 = the broker's own certificate).
    public var depth: Int
    /// The broker connection, e.g. "ssl://localhost:9093/bootstrap".
    public var broker: String

    public init(x509Error: Int32, depth: Int, broker: String) {
        self.x509Error = x509Error
        self.depth = depth
        self.broker = broker
    }

    /// The cause, grouped by what the user has to do about it.
    public enum Kind: String, Sendable, Equatable {
        /// The chain does not lead to a trusted CA (wrong or missing `ssl.ca.location`).
        case unknownCA
        /// The certificate is valid, but not for the host name (or IP address) logtop connected to.
        case hostnameMismatch
        /// The certificate (or one in its chain) has expired.
        case expired
        /// The certificate (or one in its chain) is not valid yet (clock skew?).
        case notYetValid
        /// Anything else (weak key, wrong purpose, bad signature...).
        case other
    }

    public var kind: Kind {
        switch x509Error {
        case 2, 18, 19, 20, 21, 27: return .unknownCA
        case 62, 64: return .hostnameMismatch
        case 10, 12: return .expired
        case 9, 11: return .notYetValid
        default: return .other
        }
    }

    /// OpenSSL's wording for the code (`X509_verify_cert_error_string`), for the common ones.
    public var reason: String {
        switch x509Error {
        case 2: return "unable to get issuer certificate"
        case 7: return "certificate signature failure"
        case 9: return "certificate is not yet valid"
        case 10: return "certificate has expired"
        case 11: return "CRL is not yet valid"
        case 12: return "CRL has expired"
        case 18: return "self-signed certificate"
        case 19: return "self-signed certificate in certificate chain"
        case 20: return "unable to get local issuer certificate"
        case 21: return "unable to verify the first certificate"
        case 26: return "unsupported certificate purpose"
        case 27: return "certificate not trusted"
        case 28: return "certificate rejected"
        case 62: return "hostname mismatch"
        case 64: return "IP address mismatch"
        case 66: return "EE certificate key too weak"
        case 67: return "CA certificate key too weak"
        case 68: return "CA signature digest algorithm too weak"
        case 79: return "invalid CA certificate"
        default: return "X.509 verification error \(x509Error)"
        }
    }

    public var description: String { "\(reason) (X509_V_ERR \(x509Error), depth \(depth), \(broker))" }
}
