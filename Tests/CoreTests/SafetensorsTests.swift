import Foundation
import Testing
@testable import Core

/// safetensors encoding, model weight round trips (dotted and torchvision names) and rejection of bad files.
@Suite struct SafetensorsTests {
    static let configuration = VGG16Configuration(inputSize: 32, inputChannels: 1, widthMultiplier: 0.0625, headWidths: [8, 8],
                                                  classCount: 4)

    @Test func encodingFollowsTheFormat() throws {
        let data = SafetensorsFile.encode([("a", Tensor(shape: [2], data: [1, -2])), ("b.c", Tensor(shape: [], data: [7]))],
                                          metadata: ["k": "v \"q\""])
        let length = Int(data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        #expect(length % 8 == 0 && data.count == 8 + length + 12)
        let header = try JSONSerialization.jsonObject(with: data[8..<(8 + length)]) as! [String: Any]
        #expect((header["a"] as! [String: Any])["data_offsets"] as! [Int] == [0, 8])
        #expect((header["b.c"] as! [String: Any])["shape"] as! [Int] == [])
        #expect((header["__metadata__"] as! [String: String])["k"] == "v \"q\"")
        let file = try SafetensorsFile(data: data, source: "memory")
        #expect(try file.tensor("a") == Tensor(shape: [2], data: [1, -2]))
        #expect(try file.tensor("b.c").data == [7])
        #expect(file.metadata == ["k": "v \"q\""])
    }

    @Test func readsIntegerTensorsOfTheReferenceCase() throws {
        let file = try SafetensorsFile(contentsOf: TestSupport.fixture("case.safetensors"))
        #expect(try file.integers("class_counts") == [75000, 134000, 25000, 14000, 6000, 3800, 25000, 3750])
        #expect(file.entries["labels"]?.dtype == "I64")
    }

    @Test(arguments: [WeightNaming.dotted, .torchvision])
    func modelRoundTrip(naming: WeightNaming) throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("model.safetensors")
        let model = try VGG16(configuration: Self.configuration, seed: 1)
        model.frozenBlocks = 3
        try model.saveWeights(to: url, naming: naming)
        let other = try VGG16(configuration: Self.configuration, seed: 2)
        #expect(other.parameters != model.parameters)
        try other.loadWeights(from: url)
        #expect(other.parameters == model.parameters)
        let loaded = try VGG16.load(from: url)
        #expect(loaded.configuration == model.configuration && loaded.frozenBlocks == 3 && loaded.parameters == model.parameters)
        let names = Set(try SafetensorsFile(contentsOf: url).names)
        #expect(names.contains(naming == .dotted ? "block5.conv3.weight" : "features.28.weight"))
    }

    @Test func wrongShapeAndMissingTensorsAreRejectedByName() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try VGG16(configuration: Self.configuration, seed: 1)
        var tensors = model.weightTensors(naming: .torchvision)
        let i = tensors.firstIndex { $0.name == "features.7.weight" }!
        tensors[i].tensor = Tensor(zeros: [8, 4, 3, 3])
        let wrong = dir.appendingPathComponent("wrong.safetensors")
        try SafetensorsFile.write(tensors, to: wrong)
        let before = model.parameters
        #expect(throws: CoreError.shapeMismatch(tensor: "features.7.weight", expected: [8, 8, 3, 3], found: [8, 4, 3, 3],
                                                file: wrong.path)) { try model.loadWeights(from: wrong) }
        #expect(model.parameters == before)
        tensors.remove(at: i)
        let missing = dir.appendingPathComponent("missing.safetensors")
        try SafetensorsFile.write(tensors, to: missing)
        #expect(throws: CoreError.missingTensor(tensor: "features.7.weight", file: missing.path)) { try model.loadWeights(from: missing) }
        let message = CoreError.shapeMismatch(tensor: "features.7.weight", expected: [8, 8, 3, 3], found: [8, 4, 3, 3], file: "f").description
        #expect(message.contains("features.7.weight") && message.contains("[8, 8, 3, 3]") && message.contains("[8, 4, 3, 3]"))
    }

    @Test func malformedFilesAreRejected() throws {
        let good = SafetensorsFile.encode([("a", Tensor(shape: [4], data: [1, 2, 3, 4]))])
        #expect(throws: CoreError.self) { try SafetensorsFile(data: good.prefix(5), source: "x") }
        #expect(throws: CoreError.self) { try SafetensorsFile(data: good.prefix(good.count - 4), source: "x") }
        var hugeHeader = good
        hugeHeader[0] = 0xFF
        #expect(throws: CoreError.self) { try SafetensorsFile(data: hugeHeader, source: "x") }
        let notJSON = Data([8, 0, 0, 0, 0, 0, 0, 0]) + Data("not json".utf8)
        #expect(throws: CoreError.self) { try SafetensorsFile(data: notJSON, source: "x") }
    }
}
