import Foundation

/// Weights as safetensors files: dotted or torchvision key names, strict shape checks.
extension VGG16 {
    /// Metadata key holding the JSON-encoded `VGG16Configuration` of a saved model.
    public static let configurationMetadataKey = "palimpsest.vgg16"
    /// Metadata key holding the frozen block count of a saved model.
    public static let frozenBlocksMetadataKey = "palimpsest.frozen_blocks"

    /// Every parameter as (name, tensor) in execution order, named by `naming`.
    public func weightTensors(naming: WeightNaming = .dotted) -> [(name: String, tensor: Tensor)] {
        let names = naming == .torchvision ? torchvisionNames : [:]
        return parameters.map { (names[$0.key] ?? $0.key, $0.tensor) }
    }

    /// Writes the weights with the configuration and frozen block count in the metadata.
    ///
    /// With `.torchvision` names and the default two hidden head layers, PyTorch loads the file into
    /// `torchvision.models.vgg16(num_classes=K)` (whose `avgpool` is the identity at 224 px).
    public func saveWeights(to url: URL, naming: WeightNaming = .dotted) throws {
        let config = try configuration.canonicalJSON()
        try SafetensorsFile.write(weightTensors(naming: naming), metadata: [
            "format": "pt", Self.configurationMetadataKey: config, Self.frozenBlocksMetadataKey: freezeDepth.text,
        ], to: url)
    }

    /// Loads every parameter from a file with dotted or torchvision names (detected by `features.0.weight`).
    ///
    /// Nothing changes unless every tensor is present with the expected shape; otherwise the error names the
    /// tensor, the expected and the found shape.
    public func loadWeights(from url: URL) throws {
        try loadWeights(SafetensorsFile(contentsOf: url))
    }

    /// Loads the conv blocks' parameters only (e.g. ImageNet weights under a new head), same checks as `loadWeights`.
    public func loadConvWeights(from url: URL) throws {
        try loadWeights(SafetensorsFile(contentsOf: url), only: { $0.hasPrefix("block") })
    }

    /// Loads every parameter (or those whose dotted key passes `only`) from a parsed file (see `loadWeights(from:)`).
    public func loadWeights(_ file: SafetensorsFile, only: (String) -> Bool = { _ in true }) throws {
        let names = file.entries["features.0.weight"] != nil ? torchvisionNames : [:]
        var values: [(Int, [Float])] = []
        for (i, p) in parameters.enumerated() where only(p.key) {
            let name = names[p.key] ?? p.key
            guard let entry = file.entries[name] else { throw CoreError.missingTensor(tensor: name, file: file.source) }
            guard entry.shape == p.shape else {
                throw CoreError.shapeMismatch(tensor: name, expected: p.shape, found: entry.shape, file: file.source)
            }
            values.append((i, try file.tensor(name).data))
        }
        for (i, v) in values { update(parameter: i) { $0 = v } }
    }

    /// A model rebuilt from a file written by `saveWeights`: configuration and frozen blocks from its metadata.
    public static func load(from url: URL) throws -> VGG16 {
        let file = try SafetensorsFile(contentsOf: url)
        guard let json = file.metadata[configurationMetadataKey],
              let config = try? JSONDecoder().decode(VGG16Configuration.self, from: Data(json.utf8)) else {
            throw CoreError.malformedFile(file: url.path, reason: "metadata '\(configurationMetadataKey)' is missing or invalid")
        }
        let model = try VGG16(configuration: config, seed: 0)
        try model.loadWeights(file)
        model.freezeDepth = try FreezeDepth(text: file.metadata[frozenBlocksMetadataKey], field: frozenBlocksMetadataKey, file: url.path)
        return model
    }
}
