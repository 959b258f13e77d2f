import Foundation

extension FileSystem {
    /// Copies up to `count` bytes (all, by default) from an open descriptor's position into the new file `file`
    /// in 1 MiB chunks, calling `progress` per chunk; more than `limit` bytes is an error made by `error`.
    static func copy(from source: Int32, count: Int64 = .max, toNew file: URL, limit: Int64, progress: (Int64) -> Void,
                     error: (String) -> GraphError) throws(GraphError) {
        let target = open(file.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard target >= 0 else { throw error("cannot create \(file.path): \(String(cString: strerror(errno)))") }
        defer { close(target) }
        let size = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        var total: Int64 = 0
        while total < count {
            let n = Foundation.read(source, buffer.baseAddress, Int(min(Int64(size), count - total)))
            if n < 0 {
                if errno == EINTR { continue }
                throw error(String(cString: strerror(errno)))
            }
            if n == 0 { return }
            total += Int64(n)
            guard total <= limit else { throw error("longer than the \(limit) bytes recorded") }
            var written = 0
            while written < n {
                let w = Foundation.write(target, buffer.baseAddress! + written, n - written)
                if w < 0 {
                    if errno == EINTR { continue }
                    throw error("cannot write \(file.path): \(String(cString: strerror(errno)))")
                }
                written += w
            }
            progress(Int64(n))
        }
    }
}
