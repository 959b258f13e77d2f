import Foundation
import Testing
@testable import Core
import Randomness

/// Training: fitting a tiny set, reproducibility, resume from snapshots, divergence errors, callbacks.
@Suite struct TrainerTests {
    static let configuration = VGG16Configuration(inputSize: 32, inputChannels: 1, widthMultiplier: 0.125, headWidths: [16, 16],
                                                  classCount: 2, dropout: 0.25)

    /// 8 grey 32×32 images: class 0 bright in the top half, class 1 bright in the bottom half, plus noise.
    static func tinySet() throws -> InMemoryBatchSource {
        var rng = Xoshiro256StarStar(seed: 11)
        var data: [Float] = [], labels: [Int] = []
        for i in 0..<8 {
            let label = i % 2
            labels.append(label)
            for y in 0..<32 { for _ in 0..<32 {
                data.append(((y < 16) == (label == 0) ? 0.8 : 0.2) + 0.2 * rng.nextUnitFloat())
            } }
        }
        return try InMemoryBatchSource(images: Tensor(shape: [8, 1, 32, 32], data: data), labels: labels)
    }

    static let options = TrainingOptions(epochs: 4, batchSize: 3, learningRate: 0.02, momentum: 0.9, weightDecay: 1e-4,
                                         loss: .focal(gamma: 1), seed: 5)

    @Test func tinyNetworkFitsTinySetToFullAccuracy() throws {
        let data = try Self.tinySet()
        var config = Self.configuration
        config.dropout = 0
        let model = try VGG16(configuration: config, seed: 2)
        try TestSupport.heInitialise(model, seed: 3)
        var options = Self.options
        options.epochs = 60
        options.batchSize = 4
        options.learningRate = 0.01
        options.loss = .crossEntropy()
        let trainer = try Trainer(model: model, options: options)
        trainer.onEpoch = { report in report.loss < 0.01 ? .stop : .proceed }
        let reports = try trainer.fit(data)
        let result = try Trainer.evaluate(model, on: data, loss: .crossEntropy(), batchSize: 8)
        #expect(result.accuracy == 1, "accuracy \(result.accuracy) after \(reports.count) epochs, loss \(reports.last!.loss)")
    }

    @Test func inMemorySourceCopiesTheRequestedImages() throws {
        let data = try Self.tinySet()
        let b = try data.batch(indices: [6, 1], seed: 0)
        #expect(b.input.shape == [2, 1, 32, 32] && b.labels == [0, 1])
        #expect(Array(b.input.data[1024..<2048]) == Array(data.images.data[1024..<2048]))
        #expect(Array(b.input.data[0..<1024]) == Array(data.images.data[(6 * 1024)..<(7 * 1024)]))
        #expect(throws: CoreError.invalidData(field: "sample index", expected: "in 0..<8", found: "8")) {
            try data.batch(indices: [8], seed: 0)
        }
        #expect(throws: CoreError.self) { try InMemoryBatchSource(images: Tensor(zeros: [3, 1, 4, 4]), labels: [0, 1]) }
    }

    @Test func sameSeedGivesBitIdenticalWeights() throws {
        let data = try Self.tinySet()
        func train(seed: UInt64) throws -> [Parameter] {
            let model = try VGG16(configuration: Self.configuration, seed: 2)
            var options = Self.options
            options.seed = seed
            try Trainer(model: model, options: options).fit(data)
            return model.parameters
        }
        let a = try train(seed: 5)
        #expect(a == (try train(seed: 5)))
        #expect(a != (try train(seed: 6)))
    }

    @Test(arguments: OptimizerMethod.allCases)
    func resumeFromSnapshotEqualsUninterruptedRun(optimizer: OptimizerMethod) throws {
        var options = Self.options
        options.optimizer = optimizer
        if optimizer == .adam { options.learningRate = 1e-3 }
        let data = try Self.tinySet()
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let full = try VGG16(configuration: Self.configuration, seed: 2)
        full.frozenBlocks = 1
        let fullReports = try Trainer(model: full, options: options).fit(data)

        // Interrupted after epoch 2: the snapshot goes through a file, training resumes in a fresh model.
        let first = try VGG16(configuration: Self.configuration, seed: 2)
        first.frozenBlocks = 1
        let trainer = try Trainer(model: first, options: options)
        let url = dir.appendingPathComponent("epoch.safetensors")
        trainer.onSnapshot = { try $0.write(to: url) }
        trainer.onEpoch = { $0.epoch == 2 ? .stop : .proceed }
        try trainer.fit(data)
        let snapshot = try TrainingSnapshot.read(from: url)
        #expect(snapshot == trainer.snapshot())
        #expect(snapshot.epoch == 2 && !snapshot.optimizerBuffers.isEmpty && snapshot.optimizerSteps > 0)

        let resumedModel = try VGG16(configuration: Self.configuration, seed: 99)
        let resumed = try Trainer(model: resumedModel, options: options, resumingFrom: snapshot)
        let rest = try resumed.fit(data)
        #expect(rest.map(\.epoch) == [3, 4])
        #expect(rest.map(\.loss) == fullReports.suffix(2).map(\.loss))
        #expect(resumedModel.parameters == full.parameters)
        #expect(resumedModel.frozenBlocks == 1)

        var incomplete = snapshot
        incomplete.parameters["head.fc2.bias"] = nil
        #expect(throws: CoreError.missingTensor(tensor: "head.fc2.bias", file: "snapshot")) {
            try Trainer(model: try VGG16(configuration: Self.configuration, seed: 2), options: options, resumingFrom: incomplete)
        }
    }

    @Test func nonFiniteLossNamesEpochAndBatch() throws {
        var data = try Self.tinySet().images.data
        data[5 * 1024 + 7] = .nan   // image 5: second batch of 3 without shuffling
        let source = try InMemoryBatchSource(images: Tensor(shape: [8, 1, 32, 32], data: data), labels: try Self.tinySet().labels)
        var options = Self.options
        options.shuffle = false
        let trainer = try Trainer(model: try VGG16(configuration: Self.configuration, seed: 2), options: options)
        let error = #expect(throws: CoreError.self) { try trainer.fit(source) }
        guard case .nonFiniteLoss(1, 2, let value)? = error else { Issue.record("wrong error \(String(describing: error))"); return }
        #expect(value.isNaN)
        #expect(CoreError.nonFiniteLoss(epoch: 3, batch: 7, value: .infinity).description.contains("epoch 3, batch 7"))
    }

    @Test func callbacksValidationAndEarlyStop() throws {
        let data = try Self.tinySet()
        let trainer = try Trainer(model: try VGG16(configuration: Self.configuration, seed: 2), options: Self.options)
        var batches: [(Int, Int, Int)] = []
        trainer.onBatch = { batches.append(($0.epoch, $0.batch, $0.batchCount)); #expect($0.imagesPerSecond > 0) }
        trainer.onEpoch = { $0.epoch == 2 ? .stop : .proceed }
        let reports = try trainer.fit(data, validation: data)
        #expect(reports.count == 2 && trainer.completedEpochs == 2)
        #expect(batches.map(\.0) == [1, 1, 1, 2, 2, 2] && batches.map(\.1) == [1, 2, 3, 1, 2, 3] && batches.allSatisfy { $0.2 == 3 })
        let v = try Trainer.evaluate(trainer.model, on: data, loss: Self.options.loss, batchSize: 3)
        #expect(reports[1].validationLoss == v.loss && reports[1].validationAccuracy == v.accuracy)
    }
}
