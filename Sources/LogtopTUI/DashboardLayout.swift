/// Where each pane goes. Fits 80×24 and gives a larger terminal's room to the graph, the top list and
/// the alert log (and, when there is room, to a pane listing every alert rule).
///
/// ```
/// header ─────────────────────────────────────────────
/// Request rate             │ Status codes
/// Top URLs / clients / …   │ Latency
/// Alerts                   │ Kafka & pipeline  (+ Alert rules)
/// footer ─────────────────────────────────────────────
/// ```
public struct DashboardLayout: Sendable, Equatable {
    public static let minimumWidth = 80
    public static let minimumHeight = 24

    public var header: Rect
    public var footer: Rect
    public var rate: Rect
    public var topList: Rect
    public var alerts: Rect
    public var status: Rect
    public var latency: Rect
    public var pipeline: Rect
    /// The list of alert rules, when the terminal is tall enough.
    public var rules: Rect?

    public var panes: [Rect] { [rate, topList, alerts, status, latency, pipeline] + (rules.map { [$0] } ?? []) }

    /// The layout of a `width`×`height` terminal; nil when it is too small.
    public static func compute(width: Int, height: Int) -> DashboardLayout? {
        guard width >= minimumWidth, height >= minimumHeight else { return nil }
        let available = height - 2
        let extra = available - 22
        let leftWidth = width < 100 ? width * 46 / 80 : width * 57 / 100
        let rightWidth = width - leftWidth

        // Left column: graph, top list (header + up to 10 entries), alert log takes the rest.
        let rateExtra = min(extra / 3, 7)
        let topExtra = min(extra - rateExtra, 5)
        let rateH = 7 + rateExtra
        let topH = 8 + topExtra
        let alertsH = available - rateH - topH

        // Right column: status codes, latency, Kafka, then the rules pane when there is room.
        var rest = extra
        let rulesH = rest >= 9 ? 9 : 0
        rest -= rulesH
        let statusExtra = min(rest, 6)
        rest -= statusExtra
        let latencyExtra = min(rest, 1)
        rest -= latencyExtra
        let statusH = 7 + statusExtra
        let latencyH = 5 + latencyExtra
        let pipelineH = available - statusH - latencyH - rulesH

        let top = 1
        var l = DashboardLayout(
            header: Rect(x: 0, y: 0, width: width, height: 1),
            footer: Rect(x: 0, y: height - 1, width: width, height: 1),
            rate: Rect(x: 0, y: top, width: leftWidth, height: rateH),
            topList: Rect(x: 0, y: top + rateH, width: leftWidth, height: topH),
            alerts: Rect(x: 0, y: top + rateH + topH, width: leftWidth, height: alertsH),
            status: Rect(x: leftWidth, y: top, width: rightWidth, height: statusH),
            latency: Rect(x: leftWidth, y: top + statusH, width: rightWidth, height: latencyH),
            pipeline: Rect(x: leftWidth, y: top + statusH + latencyH, width: rightWidth, height: pipelineH),
            rules: nil)
        if rulesH > 0 {
            l.rules = Rect(x: leftWidth, y: l.pipeline.maxY, width: rightWidth, height: rulesH)
        }
        return l
    }
}
