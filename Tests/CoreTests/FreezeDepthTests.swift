import Foundation
import Testing
@testable import Core

/// The freeze depth: which blocks train, and a bad stored count rejected with the file and field named.
@Suite struct FreezeDepthTests {
    @Test func blocksAboveTheDepthAndTheHeadTrain() throws {
        let depth = try FreezeDepth(2, field: "frozen_blocks", file: "model.json")
        #expect(!depth.isTrainable(.conv(1)) && !depth.isTrainable(.conv(2)))
        #expect(depth.isTrainable(.conv(3)) && depth.isTrainable(.head))
        #expect(!FreezeDepth.allConvBlocks.isTrainable(.conv(5)) && FreezeDepth.allConvBlocks.isTrainable(.head))
        #expect(FreezeDepth.none.isTrainable(.conv(1)))
    }

    @Test func badStoredCountsNameTheFileAndField() {
        #expect(throws: CoreError.invalidField(file: "m.json", field: "frozen_blocks", expected: "an integer in 0…5 (frozen conv blocks)", found: "6")) {
            try FreezeDepth(6, field: "frozen_blocks", file: "m.json")
        }
        #expect(throws: CoreError.invalidField(file: "w.safetensors", field: "palimpsest.frozen_blocks", expected: "an integer in 0…5 (frozen conv blocks)", found: "'x'")) {
            try FreezeDepth(text: "x", field: "palimpsest.frozen_blocks", file: "w.safetensors")
        }
        #expect(throws: CoreError.invalidField(file: "w.safetensors", field: "palimpsest.frozen_blocks", expected: "an integer in 0…5 (frozen conv blocks)", found: "nothing")) {
            try FreezeDepth(text: nil, field: "palimpsest.frozen_blocks", file: "w.safetensors")
        }
    }

    /// A weights file whose metadata holds a depth outside 0…5 fails to load (it used to be ignored silently).
    @Test func modelWithABadStoredDepthIsRejected() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("model.safetensors")
        let model = try VGG16(configuration: SafetensorsTests.configuration, seed: 1)
        try model.saveWeights(to: url)
        let file = try SafetensorsFile(contentsOf: url)
        var metadata = file.metadata
        metadata[VGG16.frozenBlocksMetadataKey] = "7"
        try SafetensorsFile.write(try file.names.map { ($0, try file.tensor($0)) }, metadata: metadata, to: url)
        #expect(throws: CoreError.invalidField(file: url.path, field: VGG16.frozenBlocksMetadataKey, expected: "an integer in 0…5 (frozen conv blocks)", found: "7")) {
            try VGG16.load(from: url)
        }
    }
}
