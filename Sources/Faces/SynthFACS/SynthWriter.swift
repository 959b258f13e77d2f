import Foundation
import Glibc

/// One image SynthFACS will render and write.
struct RenderJob {
    /// Path relative to the dataset root.
    var path: String
    var identity: Int
    var aus: AUIntensities
    var nuisance: FaceNuisance
}

/// Renders and writes jobs on all cores; the bytes of each file depend only on its job, never on scheduling.
struct SynthWriter {
    let root: URL
    let identities: [FaceIdentity]
    let size: Int
    let channels: Int
    let threads: Int
    /// Deflate the PNGs (libpng's fast setting) instead of storing them uncompressed.
    let compress: Bool

    /// Renders every job and writes it as a PNG; then, on the same worker, `describe` turns
    /// the job's index and rendering into a text (e.g. a CSV row; it may write side files). Returns the texts in
    /// job order.
    func run(_ jobs: [RenderJob], describe: @Sendable (Int, RenderedFace) throws -> String) throws -> [String] {
        var directories = Set<String>()
        for job in jobs { directories.insert((job.path as NSString).deletingLastPathComponent) }
        for directory in directories.sorted() { try FileIO.makeDirectory(root.appendingPathComponent(directory)) }
        let results = TextSlots(count: jobs.count)
        let failure = FirstError()
        let workers = max(1, min(threads, jobs.count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var index = worker
            while index < jobs.count, !failure.isSet {
                let job = jobs[index]
                let face = FaceRenderer.render(identity: identities[job.identity], aus: job.aus, nuisance: job.nuisance,
                                               size: size, channels: channels)
                do {
                    let png = try face.pixels.withUnsafeBytes { pixels in
                        compress ? try PNGCodec.encode(interleaved: pixels, width: size, height: size, channels: channels, fast: true)
                            : PNGStoredEncoder.encode(pixels, width: size, height: size, channels: channels)
                    }
                    try FileIO.writeFast(png, to: root.appendingPathComponent(job.path))
                    results.set(index, try describe(index, face))
                } catch {
                    failure.record(error)
                }
                index += workers
            }
        }
        if let error = failure.error { throw error }
        return results.values
    }
}

/// Per-index result slots written from several threads (each index by exactly one thread).
private final class TextSlots: @unchecked Sendable {
    private var storage: [String]
    private let lock = NSLock()
    init(count: Int) { storage = Array(repeating: "", count: count) }
    func set(_ index: Int, _ value: String) {
        lock.lock()
        storage[index] = value
        lock.unlock()
    }
    var values: [String] { lock.lock(); defer { lock.unlock() }; return storage }
}

/// The first error thrown by any worker.
final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Error?
    func record(_ error: Error) {
        lock.lock()
        if stored == nil { stored = error }
        lock.unlock()
    }
    var error: Error? { lock.lock(); defer { lock.unlock() }; return stored }
    var isSet: Bool { error != nil }
}

extension FileIO {
    /// Writes bytes with one open/write/close (the generator writes thousands of small files per second).
    static func writeFast(_ bytes: [UInt8], to url: URL) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw FacesError.writeFailed(path: url.path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            guard n > 0 else { throw FacesError.writeFailed(path: url.path, reason: String(cString: strerror(errno))) }
            written += n
        }
    }
}

/// Text formatting shared by the synthetic layouts.
enum SynthText {
    /// MATLAB-style "%15.7e" as used by UNBC's and CK+'s label files ("   4.0000000e+00").
    static func scientific(_ value: Double) -> String { String(format: "%15.7e", value) }

    /// Ground-truth table header: every AU, then the sides of AU12 and AU14.
    static let groundTruthHeader: String = {
        let units = ActionUnit.allCases.map(\.description).joined(separator: ",")
        return "image,participant,emotion,label,\(units),AU12_right,AU12_left,AU14_right,AU14_left"
    }()

    /// One ground-truth row; `emotion` and `label` may be empty.
    static func groundTruthRow(image: String, participant: String, emotion: String, label: String, aus: AUIntensities) -> String {
        var fields = [image, participant, emotion, label]
        fields += ActionUnit.allCases.map { number(aus[$0]) }
        fields += [number(aus[.au12, .right]), number(aus[.au12, .left]), number(aus[.au14, .right]), number(aus[.au14, .left])]
        return fields.joined(separator: ",")
    }

    /// A value with exactly two decimals ("12.35", "-0.50"), without `String(format:)`'s cost.
    static func twoDecimals(_ value: Float) -> String {
        let hundredths = Int((Double(value) * 100).rounded())
        let magnitude = abs(hundredths)
        let fraction = magnitude % 100
        return (hundredths < 0 ? "-" : "") + String(magnitude / 100) + (fraction < 10 ? ".0" : ".") + String(fraction)
    }

    /// Shortest exact text for an intensity (integers without a decimal point).
    static func number(_ value: Float) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.3f", value)
    }
}
