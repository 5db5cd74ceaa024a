/// Conversions between Unix time (seconds, UTC) and civil dates, without Foundation.
/// Proleptic Gregorian calendar; algorithms after H. Hinnant's `days_from_civil`.
public enum CivilTime {
    /// Days since 1970-01-01 for a civil date (month 1...12, day 1...31).
    @inlinable
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Civil date for a count of days since 1970-01-01.
    public static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Broken-down UTC time of a Unix timestamp in seconds.
    public static func components(_ seconds: Int64) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let s = Int(seconds)
        let days = s >= 0 ? s / 86_400 : (s - 86_399) / 86_400
        let rem = s - days * 86_400
        let (y, m, d) = civilFromDays(days)
        return (y, m, d, rem / 3600, (rem % 3600) / 60, rem % 60)
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `2026-11-26T13:29:56Z`
    public static func iso8601(_ seconds: Int64) -> String {
        let c = components(seconds)
        return "\(pad(c.year, 4))-\(pad(c.month))-\(pad(c.day))T\(pad(c.hour)):\(pad(c.minute)):\(pad(c.second))Z"
    }

    /// `13:29:56`
    public static func clock(_ seconds: Int64) -> String {
        let c = components(seconds)
        return "\(pad(c.hour)):\(pad(c.minute)):\(pad(c.second))"
    }

    /// Apache/nginx `%t` body in UTC: `26/Nov/2026:13:29:56 +0000`.
    public static func commonLogTime(_ seconds: Int64) -> String {
        let c = components(seconds)
        return "\(pad(c.day))/\(monthNames[c.month - 1])/\(pad(c.year, 4)):\(pad(c.hour)):\(pad(c.minute)):\(pad(c.second)) +0000"
    }

    static func pad(_ v: Int, _ width: Int = 2) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
