import Foundation
import Testing
@testable import Faces

struct AffectNetLoaderTests {
    static let header = "subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,valence,arousal"

    /// 3 training images per class 0–7, two excluded rows (8, 10), one validation image per class.
    func makeTree(_ dir: TemporaryDirectory) throws {
        var training = [Self.header], validation = [Self.header]
        let landmarks = (0..<136).map { String($0 % 20) }.joined(separator: ";")
        var n = 0
        for label in [0, 1, 2, 3, 4, 5, 6, 7, 8, 10] {
            for copy in 0..<(label < 8 ? 3 : 1) {
                let name = "\(label)/train\(copy).png"
                try dir.write(patternImage(width: 20, height: 16, channels: 3, salt: n), to: "Manually_Annotated_Images/\(name)")
                training.append("\(name),2,3,8,6,\(landmarks),\(label),0.5,-0.25")
                n += 1
            }
        }
        for label in 0..<8 {
            let name = "v/\(label).jpg"
            try dir.write(patternImage(width: 20, height: 16, channels: 3, salt: 100 + label), to: "Manually_Annotated_Images/\(name)")
            validation.append("\(name),0,0,20,16,,\(label),0,0")
        }
        try dir.write(training.joined(separator: "\n") + "\n", to: "Manually_Annotated_file_lists/training.csv")
        try dir.write(validation.joined(separator: "\n") + "\n", to: "Manually_Annotated_file_lists/validation.csv")
    }

    @Test func loadsClassesSplitsAndFaceBoxes() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try makeTree(dir)
        let splits = try AffectNetLoader(root: dir.url).load(validationFraction: 1.0 / 3, seed: 1)
        #expect(splits.train.samples.count == 16)
        #expect(splits.validation.samples.count == 8)
        #expect(splits.train.classCounts == [Int](repeating: 2, count: 8))
        #expect(splits.validation.classCounts == [Int](repeating: 1, count: 8))
        #expect(splits.test.classCounts == [Int](repeating: 1, count: 8))
        #expect(splits.test.samples.map(\.label) == Array(0..<8))
        let all = splits.train.samples + splits.validation.samples
        #expect(Set(all.map(\.key)).count == 24)
        #expect(all.allSatisfy { $0.label < 8 && $0.crop == CropBox(x: 2, y: 3, width: 8, height: 6) })
        #expect(splits.train.classNames == ["Neutral", "Happy", "Sad", "Surprise", "Fear", "Disgust", "Anger", "Contempt"])

        // Same seed, same split; the crop is the face box.
        #expect(try AffectNetLoader(root: dir.url).load(validationFraction: 1.0 / 3, seed: 1) == splits)
        let sample = splits.train.samples[0]
        let loaded = try ImagePipeline(width: 8, height: 6, channels: 3, normalization: .unit).load(sample)
        let original = try ImageFile.read(sample.image)
        #expect(loaded == (try original.cropped(to: CropBox(x: 2, y: 3, width: 8, height: 6))))
    }

    @Test func malformedTreesNameTheirProblems() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try makeTree(dir)
        var lines = try String(contentsOf: dir.path("Manually_Annotated_file_lists/training.csv"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        lines[2] = lines[2].replacingOccurrences(of: ",0.5,-0.25", with: "").replacingOccurrences(of: ",0,", with: ",x,")
        lines[3] = "0/train1.png,2,3,8,6,,happy,0,0"
        try dir.write(lines.joined(separator: "\n"), to: "Manually_Annotated_file_lists/training.csv")
        try FileManager.default.removeItem(at: dir.path("Manually_Annotated_Images/v/3.jpg"))
        let training = dir.path("Manually_Annotated_file_lists/training.csv").path
        #expect { try AffectNetLoader(root: dir.url).load() } throws: { error in
            guard case let FacesError.invalidTree(dataset, _, problems) = error else { return false }
            return dataset == "AffectNet" && problems.count == 3
                && problems[0].hasPrefix("\(training):3: expected 9 fields")
                && problems[1] == "\(training):4: expression 'happy' is not an integer 0…10"
                && problems[2].hasSuffix("v/3.jpg: listed image is missing")
        }
        try FileManager.default.removeItem(at: dir.path("Manually_Annotated_file_lists/validation.csv"))
        #expect { try AffectNetLoader(root: dir.url).load(checkImages: false) } throws: { error in
            "\(error)".contains("validation.csv: missing file list")
        }
    }

    @Test func unreadableImagesFailWhenDecodedNamingTheFile() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try makeTree(dir)
        try dir.write("not a png", to: "Manually_Annotated_Images/3/train0.png")
        let splits = try AffectNetLoader(root: dir.url).load(validationFraction: 0)
        let broken = splits.train.samples.first { $0.key.hasSuffix("3/train0.png") }!
        #expect { try ImagePipeline(size: 8).load(broken) } throws: { error in
            guard case let FacesError.badImage(path, _) = error else { return false }
            return path == broken.image.path
        }
    }
}
