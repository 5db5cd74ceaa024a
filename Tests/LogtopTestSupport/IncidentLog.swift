import Foundation

/// A ten-minute access log of last night's incident, for paced replays (`--replay-speed`): written
/// here with Foundation's date formatter, counted here (never by logtop's parser).
///
/// 2026-11-01 02:00:00 UTC onwards, 10 requests a second (200) for 9 minutes, with half of them 500
/// from 02:02:00 to 02:02:40 (the `error_rate` rule fires) and 30 extra 404s a second from 02:06:00 to
/// 02:06:30 (`not_found_surge` fires); then nothing for three hours; then one more minute of 200s
/// from 05:09:00. Ten minutes of log time in all: 6,900 lines.
public enum IncidentLog {
    public static let start = Date(timeIntervalSince1970: 1_793_498_400)  // 2026-11-01T02:00:00Z
    /// Seconds of log time after `start` that have lines.
    public static let seconds: [Int] = Array(0..<540) + Array((540 + 3 * 3600)..<(540 + 3 * 3600 + 60))
    public static let errorSeconds = 120..<160
    public static let notFoundSeconds = 360..<390
    /// The silent stretch, seconds of log time.
    public static let gap = 3 * 3600 + 1

    public static var text: String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "dd/MMM/yyyy:HH:mm:ss Z"
        var out = ""
        for s in seconds {
            let stamp = f.string(from: start.addingTimeInterval(Double(s)))
            for i in 0..<10 {
                let status = errorSeconds.contains(s) && i < 5 ? 500 : 200
                out += "10.0.0.\(i) - - [\(stamp)] \"GET /index.html HTTP/1.1\" \(status) 512 \"-\" \"curl/8\"\n"
            }
            if notFoundSeconds.contains(s) {
                for i in 0..<30 { out += "10.0.1.\(i) - - [\(stamp)] \"GET /missing HTTP/1.1\" 404 128 \"-\" \"curl/8\"\n" }
            }
        }
        return out
    }

    /// Lines of `text`.
    public static var lines: Int { seconds.count * 10 + notFoundSeconds.count * 30 }

    /// Writes `text` to `dir/access.log`; returns its path.
    public static func write(in dir: String) throws -> String {
        let path = dir + "/access.log"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
