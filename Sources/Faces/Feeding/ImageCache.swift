import Foundation
import Glibc

/// A file of decoded, resized 8-bit images (planar C×H×W each, in sample order), so later epochs and runs skip
/// decoding. Keyed by a caller-given dataset fingerprint and the image shape; read with `pread`, so datasets larger
/// than memory stream from disk (the OS page cache keeps what fits).
///
/// File layout: 8-byte magic "PALFACE1", then little-endian UInt64 count, UInt32 channels, height, width, UInt64
/// hash of the sample keys and crops, then the images.
public final class ImageCache: @unchecked Sendable {
    public let url: URL
    public let count: Int
    public let channels: Int
    public let height: Int
    public let width: Int
    private let descriptor: Int32
    private static let magic = Array("PALFACE1".utf8)
    private static let headerLength = 8 + 8 + 4 * 3 + 8

    /// The file name for a fingerprint and shape: `faces-<fingerprint>-<C>x<H>x<W>.u8`.
    public static func fileName(fingerprint: String, pipeline: ImagePipeline) -> String {
        "faces-\(fingerprint)-\(pipeline.channels)x\(pipeline.height)x\(pipeline.width).u8"
    }

    /// Opens the cache for `samples` in `directory`, building it first (decoding on `threads` threads, in chunks
    /// so memory stays bounded) when it is missing. A file whose header does not match is rebuilt.
    public static func open(samples: [FaceSample], pipeline: ImagePipeline, directory: URL, fingerprint: String,
                            threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> ImageCache {
        let url = directory.appendingPathComponent(fileName(fingerprint: fingerprint, pipeline: pipeline))
        let hash = keyHash(samples)
        if let cache = try? ImageCache(url: url), cache.matches(samples.count, pipeline, hash) { return cache }
        try FileIO.makeDirectory(directory)
        try build(samples: samples, pipeline: pipeline, url: url, hash: hash, threads: threads)
        let cache = try ImageCache(url: url)
        guard cache.matches(samples.count, pipeline, hash) else {
            throw FacesError.cacheMismatch(path: url.path, reason: "header differs right after writing")
        }
        return cache
    }

    private var storedHash: UInt64 = 0

    /// Opens an existing cache file.
    public init(url: URL) throws {
        self.url = url
        let fd = Glibc.open(url.path, O_RDONLY)
        guard fd >= 0 else { throw FacesError.unreadableFile(path: url.path, reason: String(cString: strerror(errno))) }
        var header = [UInt8](repeating: 0, count: Self.headerLength)
        let n = header.withUnsafeMutableBytes { pread(fd, $0.baseAddress, Self.headerLength, 0) }
        guard n == Self.headerLength, Array(header[0..<8]) == Self.magic else {
            close(fd)
            throw FacesError.cacheMismatch(path: url.path, reason: "not a Palimpsest face cache (bad header)")
        }
        func u64(_ at: Int) -> UInt64 { (0..<8).reduce(UInt64(0)) { $0 | UInt64(header[at + $1]) << (8 * UInt64($1)) } }
        func u32(_ at: Int) -> Int { Int((0..<4).reduce(UInt32(0)) { $0 | UInt32(header[at + $1]) << (8 * UInt32($1)) }) }
        count = Int(u64(8))
        channels = u32(16)
        height = u32(20)
        width = u32(24)
        storedHash = u64(28)
        descriptor = fd
        var info = stat()
        let expected = Self.headerLength + count * channels * height * width
        guard fstat(fd, &info) == 0, Int(info.st_size) == expected else {
            close(fd)
            throw FacesError.cacheMismatch(path: url.path, reason: "file holds \(info.st_size) bytes, header implies \(expected)")
        }
    }

    deinit { close(descriptor) }

    private func matches(_ count: Int, _ pipeline: ImagePipeline, _ hash: UInt64) -> Bool {
        self.count == count && channels == pipeline.channels && height == pipeline.height && width == pipeline.width && storedHash == hash
    }

    /// Image `index` as a [0, 1] planar image.
    public func image(_ index: Int) throws -> RasterImage {
        precondition(index >= 0 && index < count, "cache index out of range")
        let length = channels * height * width
        var bytes = [UInt8](repeating: 0, count: length)
        let n = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, length, off_t(Self.headerLength + index * length)) }
        guard n == length else { throw FacesError.unreadableFile(path: url.path, reason: "short read of image \(index)") }
        return RasterImage(width: width, height: height, channels: channels, pixels: bytes.map { Float($0) / 255 })
    }

    /// FNV-1a over every sample's key and crop, so a cache built for other samples is never reused.
    static func keyHash(_ samples: [FaceSample]) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        func eat(_ text: String) {
            for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01B3 }
        }
        for s in samples {
            eat(s.key)
            if let c = s.crop { eat("|\(c.x),\(c.y),\(c.width),\(c.height)") }
            eat("\n")
        }
        return h
    }

    private static func build(samples: [FaceSample], pipeline: ImagePipeline, url: URL, hash: UInt64, threads: Int) throws {
        let temporary = url.appendingPathExtension("tmp-\(ProcessInfo.processInfo.processIdentifier)")
        let fd = Glibc.open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw FacesError.writeFailed(path: temporary.path, reason: String(cString: strerror(errno))) }
        var closed = false
        defer {
            if !closed { close(fd) }
            unlink(temporary.path)
        }
        var header = magic
        func put(_ value: UInt64, _ bytes: Int) { for i in 0..<bytes { header.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) } }
        put(UInt64(samples.count), 8)
        put(UInt64(pipeline.channels), 4)
        put(UInt64(pipeline.height), 4)
        put(UInt64(pipeline.width), 4)
        put(hash, 8)
        try writeAll(fd, header, temporary)
        let length = pipeline.imageLength
        let chunk = 1024
        var start = 0
        while start < samples.count {
            let end = min(start + chunk, samples.count)
            let buffer = ChunkBuffer(count: (end - start) * length)
            let failure = FirstError()
            let workers = max(1, threads)
            DispatchQueue.concurrentPerform(iterations: workers) { [start] worker in
                var i = start + worker
                while i < end, !failure.isSet {
                    do {
                        let image = try pipeline.load(samples[i])
                        buffer.store(image.pixels, at: (i - start) * length)
                    } catch {
                        failure.record(error)
                    }
                    i += workers
                }
            }
            if let error = failure.error { throw error }
            try writeAll(fd, buffer.bytes, temporary)
            start = end
        }
        guard fsync(fd) == 0, close(fd) == 0 else { throw FacesError.writeFailed(path: temporary.path, reason: "fsync/close failed") }
        closed = true
        guard rename(temporary.path, url.path) == 0 else {
            throw FacesError.writeFailed(path: url.path, reason: String(cString: strerror(errno)))
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], _ url: URL) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
            guard n > 0 else { throw FacesError.writeFailed(path: url.path, reason: String(cString: strerror(errno))) }
            done += n
        }
    }
}

/// Bytes filled by several threads at disjoint offsets.
private final class ChunkBuffer: @unchecked Sendable {
    private(set) var bytes: [UInt8]
    private let lock = NSLock()
    init(count: Int) { bytes = [UInt8](repeating: 0, count: count) }
    func store(_ pixels: [Float], at offset: Int) {
        let converted = pixels.map { UInt8(min(max($0, 0), 1) * 255 + 0.5) }
        lock.lock()
        bytes.replaceSubrange(offset..<offset + converted.count, with: converted)
        lock.unlock()
    }
}
