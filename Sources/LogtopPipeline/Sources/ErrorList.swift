import Synchronization

/// Errors of sources since the front end last asked (`Pipeline.takeSourceErrors`).
final class ErrorList: Sendable {
    private let errors = Mutex<[String]>([])

    func append(_ error: String) { errors.withLock { $0.append(error) } }

    func take() -> [String] { errors.withLock { e in defer { e.removeAll() }; return e } }
}
