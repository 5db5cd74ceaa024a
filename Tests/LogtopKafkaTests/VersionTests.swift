import Testing
@testable import LogtopKafka
@Test func versionIsAtLeast202() { #expect(!librdkafkaVersion().isEmpty) }
