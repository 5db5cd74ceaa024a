import CRdKafka
/// librdkafka version string, e.g. "2.0.2".
public func librdkafkaVersion() -> String { String(cString: rd_kafka_version_str()) }
