import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// glibc >= 2.34 (Debian 12 has 2.36); not exported by the Glibc module.
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func spawnActionsAddCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32

/// Runs a program (`argv[0]`, an absolute path) with `environment` and waits for it; with `capture`,
/// returns its standard output and error together. posix_spawn: a clean signal mask and default handlers (test
/// threads block signals and children would inherit that), and no descriptor but 0-2 (a tmux server
/// started here must not hold a pipe of the test open; Foundation's Process would wait for it forever).
public func cleanSpawn(_ argv: [String], capture: Bool, environment: [String: String]) -> (Int32, String) {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    var attr = posix_spawnattr_t()
    posix_spawnattr_init(&attr)
    defer { posix_spawnattr_destroy(&attr) }
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigmask(&attr, &empty)
    var all = sigset_t()
    sigfillset(&all)
    sigdelset(&all, SIGKILL)
    sigdelset(&all, SIGSTOP)
    posix_spawnattr_setsigdefault(&attr, &all)
    posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var fds: [Int32] = [-1, -1]
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    if capture, pipe(&fds) == 0 {
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
    } else {
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    }
    _ = spawnActionsAddCloseFrom(&actions, 3)
    var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    var cenv: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        for p in cargs { free(p) }
        for p in cenv { free(p) }
    }
    var pid = pid_t()
    let rc = posix_spawn(&pid, argv[0], &actions, &attr, &cargs, &cenv)
    if fds[1] >= 0 { close(fds[1]) }
    guard rc == 0 else {
        if fds[0] >= 0 { close(fds[0]) }
        return (-1, "cannot run \(argv[0])")
    }
    var output = [UInt8]()
    if fds[0] >= 0 {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            output += chunk[0..<n]
        }
        close(fds[0])
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0, errno == EINTR {}
    return ((status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F), String(decoding: output, as: UTF8.self))
}
