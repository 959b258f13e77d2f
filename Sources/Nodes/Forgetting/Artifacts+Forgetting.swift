import Core
import Faces
import Foundation
import Graph

extension ModelArtifact {
    /// Reads the model output `input` (errors name its file and instance).
    static func load(_ input: InputArtifact) throws -> ModelArtifact {
        try load(from: input.directory, instance: input.instance)
    }
}

/// An upstream dataset output read for the forgetting kinds: its description, where its tree is, and the test
/// images they look at.
struct ForgettingData {
    let artifact: DatasetArtifact
    let root: URL
    /// `dataset.json`, for error messages.
    let file: URL

    /// Reads the dataset output `input` (errors name its file and instance).
    init(_ input: InputArtifact) throws {
        (artifact, root) = try DatasetArtifact.load(from: input.directory, instance: input.instance)
        file = input.directory.appendingPathComponent(DatasetArtifact.fileName)
    }

    /// The AU-coded peak frames of a CK+-layout dataset.
    func ckplus() throws -> CKPlusLoader {
        guard artifact.format == .ckplus else {
            throw NodeFailure("\(file.path): format is '\(artifact.format.rawValue)', expected 'ckplus' "
                + "(an AU-coded dataset in the CK+ layout: real CK+ or synth_faces with like: ckplus)")
        }
        return CKPlusLoader(root: root)
    }

    /// The labelled images of the test split (AffectNet: its validation list; CK+: every emotion-coded peak frame).
    func testSet() throws -> FaceDataset {
        switch artifact.format {
        case .affectnet: return try AffectNetLoader(root: root).load(validationFraction: 0, checkImages: false).test
        case .ckplus: return try CKPlusLoader(root: root).loadEmotions()
        case .unbc:
            throw NodeFailure("\(file.path): format '\(artifact.format.rawValue)' has no emotion test split for saliency; expected 'affectnet' or 'ckplus'")
        }
    }
}
