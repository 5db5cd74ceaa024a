import Foundation

// Writes to a reader that went away (`logtop generate --stdout | head`) fail with EPIPE instead of
// killing the process.
signal(SIGPIPE, SIG_IGN)
Logtop.main()
