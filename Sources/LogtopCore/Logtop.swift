public enum Logtop { public static let version = "0.1.0" }
