import Foundation
import Randomness

/// One row of an AffectNet file list.
public struct AffectNetRow: Equatable, Sendable {
    /// Image path relative to `Manually_Annotated_Images/`.
    public var path: String
    public var faceBox: CropBox
    /// 68 (x, y) points; empty when the field is empty.
    public var landmarks: [SIMD2<Float>]
    /// 0–7 emotions, 8 None, 9 Uncertain, 10 Non-Face.
    public var expression: Int
    public var valence: Double
    public var arousal: Double
}

/// Reads the AffectNet layout: `Manually_Annotated_file_lists/training.csv` and `validation.csv` over
/// `Manually_Annotated_Images/`.
///
/// Classes 0–7 (Neutral, Happy, Sad, Surprise, Fear, Disgust, Anger, Contempt) are kept, 8–10 dropped; images are
/// cropped to their face box. The official validation list is the test set; a seeded, per-class stratified part of
/// the training list is the validation set.
public struct AffectNetLoader: Sendable {
    public let root: URL

    /// The columns every list must have (AffectNet's header).
    public static let columns = ["subDirectory_filePath", "face_x", "face_y", "face_width", "face_height",
                                 "facial_landmarks", "expression", "valence", "arousal"]

    public init(root: URL) { self.root = root }

    /// Loads and splits the dataset.
    /// - Parameters:
    ///   - validationFraction: share of each training class held out for validation (0…0.9).
    ///   - seed: seeds the training/validation split.
    ///   - checkImages: also require every listed image file to exist (one `stat` each).
    public func load(validationFraction: Double = 0.1, seed: UInt64 = 7, checkImages: Bool = true) throws -> FaceSplits {
        guard (0...0.9).contains(validationFraction) else {
            throw FacesError.invalidParameter(name: "validation_fraction", expected: "0…0.9", found: "\(validationFraction)")
        }
        var problems = TreeProblems()
        let images = root.appendingPathComponent("Manually_Annotated_Images")
        if LabelFile.list(images, directories: true) == nil && LabelFile.list(images, directories: false) == nil {
            problems.add(images.path, "missing image directory")
        }
        let training = readList("training.csv", problems: &problems)
        let validation = readList("validation.csv", problems: &problems)
        if checkImages {
            for row in training + validation where !problems.isFull {
                let url = images.appendingPathComponent(row.path)
                if !FileManager.default.fileExists(atPath: url.path) { problems.add(url.path, "listed image is missing") }
            }
        }
        try problems.check(dataset: "AffectNet", root: root)

        func sample(_ row: AffectNetRow) -> FaceSample {
            FaceSample(image: images.appendingPathComponent(row.path), crop: row.faceBox, label: row.expression,
                       group: "", key: "Manually_Annotated_Images/" + row.path,
                       landmarks: row.landmarks.isEmpty ? nil : row.landmarks)
        }
        var byClass = [[FaceSample]](repeating: [], count: 8)
        for row in training where row.expression < 8 { byClass[row.expression].append(sample(row)) }
        var train = [FaceSample](), held = [FaceSample]()
        for (label, samples) in byClass.enumerated() {
            var r = SplitMix64(deriving: seed, 0xAF5, UInt64(label))
            let order = samples.indices.shuffled(using: &r)
            let count = Int((Double(samples.count) * validationFraction).rounded())
            for (rank, index) in order.enumerated() {
                if rank < count { held.append(samples[index]) } else { train.append(samples[index]) }
            }
        }
        train.sort { $0.key < $1.key }
        held.sort { $0.key < $1.key }
        let test = validation.filter { $0.expression < 8 }.map(sample)
        return FaceSplits(train: FaceDataset(name: "affectnet/train", classNames: Emotion.names, samples: train),
                          validation: FaceDataset(name: "affectnet/validation", classNames: Emotion.names, samples: held),
                          test: FaceDataset(name: "affectnet/test", classNames: Emotion.names, samples: test))
    }

    /// Parses one list under `Manually_Annotated_file_lists/`, adding malformed rows to `problems`.
    func readList(_ name: String, problems: inout TreeProblems) -> [AffectNetRow] {
        let url = root.appendingPathComponent("Manually_Annotated_file_lists").appendingPathComponent(name)
        guard let bytes = try? FileIO.read(url) else {
            problems.add(url.path, "missing file list")
            return []
        }
        let lines = String(decoding: bytes, as: UTF8.self).split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        guard let headerLine = lines.first, !headerLine.isEmpty else {
            problems.add(url.path, "empty file list")
            return []
        }
        let header = headerLine.split(separator: ",", omittingEmptySubsequences: false).map { Self.unquote($0) }
        var column = [String: Int]()
        for (i, name) in header.enumerated() { column[name] = i }
        let missing = Self.columns.filter { column[$0] == nil }
        guard missing.isEmpty else {
            problems.add(url.path, "header lacks column(s) \(missing.joined(separator: ", ")); found \(header.joined(separator: ","))")
            return []
        }
        var rows = [AffectNetRow]()
        for (offset, line) in lines.enumerated().dropFirst() where !line.allSatisfy(\.isWhitespace) {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { Self.unquote($0) }
            let place = "\(url.path):\(offset + 1)"
            guard fields.count == header.count else {
                problems.add(place, "expected \(header.count) fields, found \(fields.count)")
                continue
            }
            func int(_ key: String) -> Int? {
                let text = fields[column[key]!]
                return Int(text) ?? Double(text).flatMap { $0.isFinite ? Int($0.rounded()) : nil }
            }
            guard let x = int("face_x"), let y = int("face_y"), let w = int("face_width"), let h = int("face_height"), w > 0, h > 0 else {
                problems.add(place, "face box must be integers with positive width and height")
                continue
            }
            guard let expression = Int(fields[column["expression"]!]), (0...10).contains(expression) else {
                problems.add(place, "expression '\(fields[column["expression"]!])' is not an integer 0…10")
                continue
            }
            let path = fields[column["subDirectory_filePath"]!]
            guard !path.isEmpty else {
                problems.add(place, "empty subDirectory_filePath")
                continue
            }
            let numbers = fields[column["facial_landmarks"]!].split(separator: ";").compactMap { Float($0) }
            var landmarks = [SIMD2<Float>]()
            if numbers.count == 136 {
                landmarks = stride(from: 0, to: 136, by: 2).map { SIMD2(numbers[$0], numbers[$0 + 1]) }
            } else if !fields[column["facial_landmarks"]!].isEmpty {
                problems.add(place, "facial_landmarks must hold 136 numbers separated by ';', found \(numbers.count)")
                continue
            }
            rows.append(AffectNetRow(path: path, faceBox: CropBox(x: x, y: y, width: w, height: h), landmarks: landmarks,
                                     expression: expression, valence: Double(fields[column["valence"]!]) ?? 0,
                                     arousal: Double(fields[column["arousal"]!]) ?? 0))
        }
        return rows
    }

    private static func unquote(_ field: Substring) -> String {
        var s = field.trimmingCharacters(in: .whitespaces)
        if s.count >= 2, s.hasPrefix("\""), s.hasSuffix("\"") { s = String(s.dropFirst().dropLast()) }
        return s
    }
}
