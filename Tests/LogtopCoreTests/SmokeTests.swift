import Testing
@testable import LogtopCore
@Test func hasVersion() { #expect(Logtop.version == "0.1.0") }
