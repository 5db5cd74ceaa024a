import Foundation
import Synchronization

/// Set by SIGINT/SIGTERM/SIGHUP handlers; read by the run loops.
let stopSignal = Atomic<Bool>(false)

func installSignalHandlers() {
    // A parent may have started us with these signals blocked (threads of libdispatch block them, and
    // children inherit the mask): unblock them, or Ctrl-C and SIGTERM would never reach us.
    var set = sigset_t()
    sigemptyset(&set)
    for sig in [SIGINT, SIGTERM, SIGHUP] {
        sigaddset(&set, sig)
        signal(sig) { _ in stopSignal.store(true, ordering: .relaxed) }
    }
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("logtop: error: \(message)\n".utf8))
    exit(1)
}
