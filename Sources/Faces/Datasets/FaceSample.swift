import Foundation

/// One labelled image of a dataset: where it is, which part to use, and its class.
public struct FaceSample: Equatable, Hashable, Sendable {
    /// The image file.
    public var image: URL
    /// The part to keep (a face box or a landmark region), in pixels; nil = the whole image.
    public var crop: CropBox?
    /// Class index into the dataset's `classNames`.
    public var label: Int
    /// Participant or subject the image shows (splits never mix a group across test and training for UNBC).
    public var group: String
    /// The image path relative to the dataset root: a stable identity for predictions and caches.
    public var key: String
    /// The 68 iBUG landmarks in the source image's pixel coordinates (x right, y down, origin at the top-left
    /// corner of the top-left pixel), when the dataset has them (AffectNet's list, CK+'s Landmarks/, SynthFACS).
    public var landmarks: [SIMD2<Float>]?

    public init(image: URL, crop: CropBox?, label: Int, group: String, key: String, landmarks: [SIMD2<Float>]? = nil) {
        precondition(landmarks.map { $0.count == 68 } ?? true, "iBUG landmarks have 68 points")
        self.image = image
        self.crop = crop
        self.label = label
        self.group = group
        self.key = key
        self.landmarks = landmarks
    }
}

/// A list of samples with class names.
public struct FaceDataset: Equatable, Sendable {
    /// e.g. "affectnet/train".
    public var name: String
    public var classNames: [String]
    public var samples: [FaceSample]

    public init(name: String, classNames: [String], samples: [FaceSample]) {
        self.name = name
        self.classNames = classNames
        self.samples = samples
    }

    /// Samples per class, indexed by label.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classNames.count)
        for sample in samples where sample.label < counts.count { counts[sample.label] += 1 }
        return counts
    }

    /// The labels in sample order.
    public var labels: [Int] { samples.map(\.label) }
}

/// Training, validation and test parts of one dataset.
public struct FaceSplits: Equatable, Sendable {
    public var train: FaceDataset
    public var validation: FaceDataset
    public var test: FaceDataset
}

/// Problems found while validating a dataset tree, each naming its path; throws them together.
struct TreeProblems {
    private(set) var list: [String] = []
    /// Keeps the first problems only: a broken 300 000-file tree should fail fast, not print forever.
    let limit = 50

    var isFull: Bool { list.count >= limit }

    mutating func add(_ path: String, _ message: String) {
        if list.count < limit { list.append("\(path): \(message)") }
    }

    func check(dataset: String, root: URL) throws {
        if !list.isEmpty { throw FacesError.invalidTree(dataset: dataset, root: root.path, problems: list) }
    }
}

/// Reading the small numeric label files of UNBC and CK+ ("   4.0000000e+00   2.0000000e+00" rows).
enum LabelFile {
    /// A problem inside one label file (the caller adds the path).
    struct Problem: Error {
        let message: String
    }

    /// Rows of whitespace-separated numbers; throws `Problem` when the file is unreadable or a field is not a number.
    static func numbers(_ url: URL) throws -> [[Double]] {
        guard let bytes = try? FileIO.read(url) else { throw Problem(message: "missing or unreadable label file") }
        let text = String(decoding: bytes, as: UTF8.self)
        var rows = [[Double]]()
        for (lineNumber, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," })
            if fields.isEmpty { continue }
            var row = [Double]()
            for field in fields {
                guard let value = Double(field), value.isFinite else {
                    throw Problem(message: "line \(lineNumber + 1): '\(field)' is not a number")
                }
                row.append(value)
            }
            rows.append(row)
        }
        return rows
    }

    /// Sorted names of the entries of a directory (hidden ones skipped); nil when it is not a directory.
    static func list(_ url: URL, directories: Bool) -> [String]? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue,
              let names = try? FileManager.default.contentsOfDirectory(atPath: url.path) else { return nil }
        return names.filter { name in
            guard !name.hasPrefix(".") else { return false }
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.appendingPathComponent(name).path, isDirectory: &isDir) else { return false }
            return isDir.boolValue == directories
        }.sorted()
    }

    /// True for file names with an image extension (.png, .jpg, .jpeg; any case).
    static func isImage(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasSuffix(".png") || lower.hasSuffix(".jpg") || lower.hasSuffix(".jpeg")
    }

    /// The name without its last extension.
    static func stem(_ name: String) -> String { (name as NSString).deletingPathExtension }
}
