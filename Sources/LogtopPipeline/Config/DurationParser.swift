/// Parses durations such as `90`, `90s`, `5m`, `1h30m`, `500ms` into seconds.
public enum DurationParser {
    public static func seconds(_ text: String) -> Double? {
        var total = 0.0
        var number = ""
        var sawUnit = false
        var chars = Array(text.lowercased())
        if let last = chars.last, last.isNumber || last == "." { chars.append("s") }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isNumber || c == "." { number.append(c); i += 1; continue }
            guard let v = Double(number), v >= 0 else { return nil }
            if c == "m", i + 1 < chars.count, chars[i + 1] == "s" {
                total += v / 1000; i += 2
            } else {
                switch c {
                case "s": total += v
                case "m": total += v * 60
                case "h": total += v * 3600
                case "d": total += v * 86_400
                default: return nil
                }
                i += 1
            }
            number = ""
            sawUnit = true
        }
        return sawUnit && number.isEmpty ? total : nil
    }
}
