import Foundation
@testable import Faces

/// A fresh temporary directory per test, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init(_ name: String = #function) {
        let clean = name.filter { $0.isLetter || $0.isNumber }
        url = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("faces-tests-\(clean)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ relative: String) -> URL { url.appendingPathComponent(relative) }

    /// Writes text, creating parent folders.
    func write(_ text: String, to relative: String) throws {
        let target = path(relative)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: target)
    }

    /// Writes an image as PNG, creating parent folders.
    func write(_ image: RasterImage, to relative: String) throws {
        let target = path(relative)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try PNGCodec.write(image, to: target)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// An image whose sample values are k/255 from a simple formula, so 8-bit round trips are exact.
func patternImage(width: Int, height: Int, channels: Int, salt: Int = 0) -> RasterImage {
    var image = RasterImage(width: width, height: height, channels: channels)
    for c in 0..<channels {
        for y in 0..<height {
            for x in 0..<width { image[c, y, x] = Float((x * 37 + y * 11 + c * 71 + salt * 13) % 256) / 255 }
        }
    }
    return image
}

/// An image of one colour.
func flatImage(width: Int, height: Int, value: Float) -> RasterImage {
    RasterImage(width: width, height: height, channels: 3, fill: value)
}
