import Testing
@testable import LogtopKafka

/// Debian 12's librdkafka 2.0.2 is the oldest logtop supports (the mock cluster API it uses).
@Test func versionIsAtLeast202() throws {
    let text = librdkafkaVersion()
    let parts = text.split(separator: ".").prefix(3).map { Int($0.prefix { $0.isNumber }) }
    let numbers = try #require(parts.count == 3 ? parts.compactMap { $0 } : nil, "not a version: \(text)")
    try #require(numbers.count == 3, "not a version: \(text)")
    #expect(numbers.lexicographicallyPrecedes([2, 0, 2]) == false, "librdkafka \(text) is older than 2.0.2")
}
