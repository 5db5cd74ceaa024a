import Foundation

/// A file followed like `tail -F` until the pipeline stops (see `FileFollower`): checked every
/// `pollMs` when it has nothing new.
struct FollowedFileSource: LineSource {
    let path: String
    let fromStart: Bool
    let pollMs: Int

    func run(into output: SourceOutput) {
        let follower = FileFollower(path: path, fromStart: fromStart)
        var reported: String?
        var keepGoing = true
        while keepGoing, !output.shouldStop {
            let more = follower.poll { line in
                keepGoing = output.line(line)
                return keepGoing
            }
            if keepGoing { keepGoing = output.endOfInput() }
            switch follower.phase {
            case .waitingForFile: output.set(.waitingForFile)
            case .reading: output.set(.reading)
            case .atEnd: output.set(.following)
            }
            output.tracker.setRotations(follower.rotations + follower.truncations)
            if follower.lastError != reported {
                reported = follower.lastError
                if let e = reported { output.report(e) }
            }
            // Polling is the design here: a file's growth raises no event we could wait on portably.
            if !more { usleep(UInt32(max(10, pollMs)) * 1000) }
        }
    }
}
