import Faces
import Foundation
import Graph

/// The layout of a dataset tree (and its role in the study).
public enum DatasetFormat: String, Codable, Sendable, CaseIterable {
    /// 8 emotions, training and validation CSV lists.
    case affectnet
    /// Pain sequences (PSPI per frame).
    case unbc
    /// AU-coded posed sequences (concept probes) with emotions.
    case ckplus
}

/// The `dataset` output of the data nodes (`synth_faces`, `affectnet`, `unbc`, `ckplus`): `dataset.json` naming the
/// layout, where the tree is (inside the artifact for generated data, the user's copy otherwise) and the loader
/// options, so every consumer reads the same splits.
public struct DatasetArtifact: Codable, Sendable, Equatable {
    /// The layout of the tree.
    public var format: DatasetFormat
    /// The tree: relative paths are inside the artifact directory.
    public var root: String
    /// AffectNet: the share of the training list held out for validation (early stopping).
    public var validationFraction: Double?
    /// UNBC: participants held out for testing (nil: `heldOut` chosen by seed).
    public var testParticipants: [String]?
    public var heldOut: Int?
    /// UNBC: balanced training frames and validation frames drawn from them.
    public var frames: Int?
    public var validationFrames: Int?
    /// Seed of the split (not of training).
    public var splitSeed: UInt64
    public var classNames: [String]
    /// Images per split and class (train, validation, test), for reports.
    public var counts: [String: [Int]]

    public static let fileName = "dataset.json"

    enum CodingKeys: String, CodingKey {
        case format, root, validationFraction = "validation_fraction", testParticipants = "test_participants", heldOut = "held_out"
        case frames, validationFrames = "validation_frames", splitSeed = "split_seed", classNames = "class_names", counts
    }

    /// Reads `dataset.json` from an upstream dataset output.
    public static func load(from directory: URL, instance: String) throws -> (DatasetArtifact, URL) {
        let url = directory.appendingPathComponent(fileName)
        let artifact = try ArtifactJSON.decode(DatasetArtifact.self, from: url,
                                               expected: "not a dataset description (input \(instance) should be a data node such as synth_faces)")
        let root = artifact.root.hasPrefix("/") ? URL(fileURLWithPath: artifact.root) : directory.appendingPathComponent(artifact.root)
        return (artifact, root)
    }

    /// The training, validation and test splits of a classification layout.
    public func splits(root: URL) throws -> FaceSplits {
        switch format {
        case .affectnet:
            return try AffectNetLoader(root: root).load(validationFraction: validationFraction ?? 0.1, seed: splitSeed)
        case .unbc:
            var options = UNBCSplitOptions()
            options.testParticipants = testParticipants
            options.heldOut = heldOut ?? options.heldOut
            options.frames = frames ?? options.frames
            options.validationFrames = validationFrames ?? options.validationFrames
            options.seed = splitSeed
            return try UNBCLoader(root: root).load(options)
        case .ckplus:
            throw NodeFailure("a '\(format.rawValue)' dataset has no training splits; expected an affectnet or unbc layout (emotions or pain)")
        }
    }

    /// Writes `dataset.json` into `directory`.
    public func write(to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: directory.appendingPathComponent(Self.fileName))
    }

    /// Describes a tree after loading it once (which validates it and gives the class counts).
    static func describe(format: DatasetFormat, root: String, rootURL: URL, validationFraction: Double? = nil,
                         unbc: UNBCSplitOptions? = nil, splitSeed: UInt64) throws -> DatasetArtifact {
        var artifact = DatasetArtifact(format: format, root: root, validationFraction: validationFraction,
                                       testParticipants: unbc?.testParticipants, heldOut: unbc?.heldOut, frames: unbc?.frames,
                                       validationFrames: unbc?.validationFrames, splitSeed: splitSeed, classNames: [], counts: [:])
        if format == .ckplus {
            let emotions = try CKPlusLoader(root: rootURL).loadEmotions()
            artifact.classNames = emotions.classNames
            artifact.counts = ["test": emotions.classCounts]
        } else {
            let splits = try artifact.splits(root: rootURL)
            artifact.classNames = splits.train.classNames
            artifact.counts = ["train": splits.train.classCounts, "validation": splits.validation.classCounts, "test": splits.test.classCounts]
        }
        return artifact
    }
}
