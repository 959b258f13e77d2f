import Faces
import Foundation

/// The measured speed of the SynthFACS generator.
public struct SynthBenchmarkResult: Equatable, Sendable, Codable {
    /// Faces rendered and written.
    public var faces: Int
    /// Image width and height, pixels.
    public var size: Int
    public var threads: Int
    /// Wall-clock seconds, including label files.
    public var seconds: Double
    public var facesPerSecond: Double
    /// Mean PNG file size, bytes.
    public var meanFileBytes: Double
}

extension SynthFACS {
    /// Times a full synthetic AffectNet run (`faces` training images, RGB, default nuisance, PNGs stored
    /// uncompressed unless `compressPNG`) written to a
    /// temporary directory (under `directory`, default the system's temporary directory), then deletes it.
    public static func benchmark(faces: Int = 4000, size: Int = 64, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                                 compressPNG: Bool = false, directory: URL? = nil) throws -> SynthBenchmarkResult {
        let parent = directory ?? URL(fileURLWithPath: NSTemporaryDirectory())
        let root = parent.appendingPathComponent("synthfacs-bench-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var options = SynthAffectNetOptions()
        options.images = faces
        options.testPerClass = 1
        options.size = size
        options.threads = threads
        options.compressPNG = compressPNG
        options.identities = min(600, faces)
        let summary = try writeAffectNet(options, to: root)
        var bytes = 0
        if let files = FileManager.default.enumerator(at: root.appendingPathComponent("Manually_Annotated_Images"),
                                                      includingPropertiesForKeys: [.fileSizeKey]) {
            for case let url as URL in files {
                bytes += (try? url.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0
            }
        }
        return SynthBenchmarkResult(faces: summary.images, size: size, threads: threads, seconds: summary.seconds,
                                    facesPerSecond: Double(summary.images) / summary.seconds,
                                    meanFileBytes: Double(bytes) / Double(summary.images))
    }
}
