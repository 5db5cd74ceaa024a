import Foundation
import LogtopCore
import Testing

/// The alert record on the `alerts` topic has the keys of the README's example, with the values of
/// the event.
@Suite struct AlertJSONTests {
    static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("README.md").path

    func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func recordsHaveTheREADMEsKeysAndTheEventsValues() throws {
        let readme = try String(contentsOfFile: Self.readme, encoding: .utf8)
        let afterIntro = try #require(readme.components(separatedBy: "Alert events go to the Kafka topic `alerts`").dropFirst().first)
        let example = try #require(afterIntro.components(separatedBy: "```json\n").dropFirst().first?.components(separatedBy: "\n```").first)
        let documented = Set(try object(example).keys)

        let flood = AlertEvent(rule: .clientFlood, state: .firing, value: 42.857142, threshold: 30, unit: "%", window: 10,
                               time: 1_795_700_735, firedAt: 1_795_700_735, offender: "27.4.69.247", rate: 150)
        let json = try object(ReportFormatter.alertJSON(flood))
        #expect(Set(json.keys) == documented, "README example: \(documented.sorted()), record: \(json.keys.sorted())")
        #expect(json["rule"] as? String == "client_flood" && json["state"] as? String == "firing")
        #expect(json["value"] as? Double == 42.8571 && json["threshold"] as? Int == 30 && json["unit"] as? String == "%")
        #expect(json["rate"] as? Int == 150 && json["rate_unit"] as? String == "req/s")
        #expect(json["offender"] as? String == "27.4.69.247" && json["window_s"] as? Int == 10)
        #expect(json["time"] as? String == "2026-11-26T13:45:35Z" && json["id"] as? String == flood.id)

        // A rule without a share has no rate; no offender is null.
        let errors = AlertEvent(rule: .errorRate, state: .resolved, value: 2, threshold: 5, unit: "%", window: 30,
                                time: 1_795_700_800, firedAt: 1_795_700_735)
        let other = try object(ReportFormatter.alertJSON(errors))
        #expect(Set(other.keys) == documented.subtracting(["rate", "rate_unit"]))
        #expect(other["offender"] is NSNull && other["state"] as? String == "resolved")
    }
}
