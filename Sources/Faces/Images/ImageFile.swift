import Foundation

/// Reading images from disk by content (PNG or JPEG signature), not by extension.
public enum ImageFile {
    /// Decodes the PNG or JPEG file at `url`; anything else, or a truncated file, throws an error naming it.
    public static func read(_ url: URL) throws -> RasterImage {
        let bytes = try FileIO.read(url)
        return try decode(bytes, path: url.path)
    }

    /// Decodes PNG or JPEG bytes, told apart by their signatures.
    public static func decode(_ bytes: [UInt8], path: String) throws -> RasterImage {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            return try PNGCodec.decode(bytes, path: path)
        }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            return try JPEGCodec.decode(bytes, path: path)
        }
        let reason = bytes.isEmpty ? "empty file" : "no PNG or JPEG signature (\(bytes.count) bytes)"
        throw FacesError.badImage(path: path, reason: reason)
    }
}

/// Whole-file reads and atomic-enough writes with errors that name the file.
enum FileIO {
    static func read(_ url: URL) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            let exists = FileManager.default.fileExists(atPath: url.path)
            throw FacesError.unreadableFile(path: url.path, reason: exists ? "permission denied" : "no such file")
        }
        defer { try? handle.close() }
        do {
            return [UInt8](try handle.readToEnd() ?? Data())
        } catch {
            throw FacesError.unreadableFile(path: url.path, reason: error.localizedDescription)
        }
    }

    static func readText(_ url: URL) throws -> String {
        let bytes = try read(url)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func write(_ bytes: [UInt8], to url: URL) throws {
        let ok = bytes.withUnsafeBytes { FileManager.default.createFile(atPath: url.path, contents: Data($0)) }
        guard ok else { throw FacesError.writeFailed(path: url.path, reason: "cannot create file") }
    }

    static func write(_ text: String, to url: URL) throws {
        try write(Array(text.utf8), to: url)
    }

    static func makeDirectory(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw FacesError.writeFailed(path: url.path, reason: error.localizedDescription)
        }
    }
}
