#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP socket listening on `host:port` (port 0: any free port; host `*`: every interface), for the
/// servers logtop runs: `generate --listen` (`LineServer`) and `--metrics-listen` (`MetricsServer`).
enum ListeningSocket {
    enum Failure: Error {
        /// The host name did not resolve (getaddrinfo's words).
        case resolve(String)
        /// No address could be bound and listened on (the last errno's words).
        case listen(String)
    }

    /// The listening descriptor (close-on-exec, SO_REUSEADDR) and the port it got.
    static func open(host: String, port: UInt16, backlog: Int32) -> Result<(fd: Int32, port: UInt16), Failure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host == "*" ? nil : host, String(port), &hints, &list)
        guard rc == 0, let first = list else { return .failure(.resolve(String(cString: gai_strerror(rc)))) }
        defer { freeaddrinfo(first) }
        var fd: Int32 = -1
        var why = "no address"
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let ai = next, fd < 0 {
            next = ai.pointee.ai_next
            let s = socket(ai.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            if s < 0 { why = String(cString: strerror(errno)); continue }
            var on: Int32 = 1
            setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
            if bind(s, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0, listen(s, backlog) == 0 {
                fd = s
            } else {
                why = String(cString: strerror(errno))
                close(s)
            }
        }
        guard fd >= 0 else { return .failure(.listen(why)) }
        return .success((fd, boundPort(fd) ?? port))
    }

    /// The port `fd` is bound to.
    private static func boundPort(_ fd: Int32) -> UInt16? {
        var addr = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard bound == 0 else { return nil }
        return withUnsafePointer(to: &addr) { p -> UInt16 in
            if Int32(p.pointee.ss_family) == AF_INET6 {
                return p.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
            return p.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
    }
}
