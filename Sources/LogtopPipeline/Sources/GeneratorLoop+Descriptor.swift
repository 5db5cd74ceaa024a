import Foundation

extension GeneratorLoop {
    /// Writes generated lines, newline-terminated, to `fd` (`logtop generate --stdout`) until
    /// `shouldStop()`, `count` lines, or a failed write (the reader went away, as `| head` does);
    /// returns the lines made.
    @discardableResult
    public mutating func write(to fd: Int32, count: Int?, settings: GeneratorLoop.Settings, shouldStop: () -> Bool) -> Int {
        var out = [UInt8]()
        out.reserveCapacity(1 << 16)
        return run(count: count, shouldStop: shouldStop, settings: { settings },
                   line: { line in
                       out.append(contentsOf: line)
                       out.append(0x0A)
                       return true
                   },
                   tickDone: { _ in
                       defer { out.removeAll(keepingCapacity: true) }
                       return Self.writeAll(out, to: fd)
                   })
    }

    /// False when the descriptor refuses the bytes.
    private static func writeAll(_ bytes: [UInt8], to fd: Int32) -> Bool {
        bytes.withUnsafeBytes { b in
            var off = 0
            while off < b.count {
                let n = Foundation.write(fd, b.baseAddress! + off, b.count - off)
                if n < 0, errno == EINTR { continue }
                if n <= 0 { return false }
                off += n
            }
            return true
        }
    }
}
