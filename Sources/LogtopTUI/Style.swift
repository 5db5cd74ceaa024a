/// What a cell of the screen is for. The terminal backend maps each role to colours (when the
/// terminal has them) or to plain attributes (bold, reverse, dim), so the screen stays readable both ways.
public enum Style: UInt8, Sendable, CaseIterable {
    case normal
    /// Secondary text: labels, axes, hints.
    case dim
    /// Figures that matter.
    case strong
    /// Pane titles.
    case title
    case border
    /// The top status bar.
    case header
    /// A state badge in the header: FROZEN.
    case headerBadge
    /// An attention badge in the header: PAUSED, a running scenario, BROKER DOWN.
    case alertBadge
    /// A key name in the footer.
    case footerKey
    case footerLabel
    /// Healthy: 2xx, connected, resolved alerts.
    case good
    /// Warning: 4xx, warning-severity alerts.
    case warn
    /// Bad: 5xx, critical alerts, errors.
    case bad
    /// Neutral information: 3xx, graph.
    case info
    /// A passing message (threshold changed, scenario started).
    case accent
    /// The selected row (alert rule).
    case selected
    /// Bars of the request-rate graph.
    case graph
}
