/// The release of logtop: `--version`, the `--help` header, the dashboard's help overlay, the TOTAL
/// block of `results.txt`, the JSON `kafka` record and the Debian package all say this.
public enum Logtop { public static let version = "0.1.0" }
