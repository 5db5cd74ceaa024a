/// The headers logtop's own sources put on each record of the `logs` topic.
public enum LogHeaders {
    /// Marks the lines of one run (a random id), so the analyzer knows when a finite run is done.
    public static let run = "logtop-run"
    /// Which source a line came from (`file:PATH`, `stdin`, `generator`...).
    public static let source = "logtop-source"
    /// Marks a line cut by `LineSplitter` (counted as malformed).
    public static let cut = "logtop-cut"
}
