#if canImport(Glibc)
import Glibc
#endif

/// Names of logtop's own threads, as `top -H`, `ps -L` and `/proc/PID/task/*/comm` show them (the
/// kernel keeps 15 bytes). librdkafka names its threads `rdk:...` itself; with these, a thread's CPU
/// time can be told apart from outside, e.g. the analyzer's from the sources' and the metrics server's
/// (`scripts/metrics-hammer-bench.py` reads them).
enum ThreadName: String {
    case analyzer = "logtop-analyzer"
    case source = "logtop-source"
    case metrics = "logtop-metrics"

    /// Gives the calling thread this name (Linux; elsewhere nothing). Written to the thread's own
    /// `comm` file: the Swift Glibc module has no `pthread_setname_np`, and `Thread.current.name` is
    /// not reliably passed on to the system for a thread that sets it as soon as it starts.
    func apply() {
        #if canImport(Glibc)
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        let name = Array(rawValue.utf8.prefix(15))
        _ = name.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        #endif
    }
}
