extension ReportFormatter {
    /// The first line of a filtered run's results.txt (`--filter`).
    public static func filterText(_ expression: String) -> String {
        "filter: \(expression)  (only matching requests are counted; alerts see all traffic)\n"
    }

    /// The first object of a filtered run's JSON Lines: `{"type":"filter","expression":"status:5xx"}`.
    public static func filterJSON(_ expression: String) -> String {
        "{\"type\":\"filter\",\"expression\":\(JSONWriter.quote(expression))}"
    }
}
