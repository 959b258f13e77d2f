import Foundation
import Randomness

/// How to train: epochs, batch size, optimiser, loss and the seed of shuffling, augmentation seeds and dropout.
public struct TrainingOptions: Sendable, Equatable, Codable {
    /// Epochs to train in total (a resumed trainer runs only the remaining ones).
    public var epochs: Int
    /// Images per batch; the last batch of an epoch may be smaller.
    public var batchSize: Int
    /// Which optimiser updates the weights.
    public var optimizer: OptimizerMethod
    /// Learning rate η.
    public var learningRate: Float
    /// SGD momentum μ (0 as in Keras' default); Adam ignores it.
    public var momentum: Float
    /// L2 weight decay λ.
    public var weightDecay: Float
    /// The training loss (also used for validation).
    public var loss: Loss
    /// Seed of the trainer's generator: shuffling, augmentation seeds and dropout masks.
    public var seed: UInt64
    /// Reshuffle the samples every epoch (false: fixed order 0..<count).
    public var shuffle: Bool

    public init(epochs: Int, batchSize: Int, optimizer: OptimizerMethod = .sgd, learningRate: Float, momentum: Float = 0,
                weightDecay: Float = 0, loss: Loss = .crossEntropy(), seed: UInt64, shuffle: Bool = true) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.loss = loss
        self.seed = seed
        self.shuffle = shuffle
    }
}

/// Progress after one training batch (1-based epoch and batch numbers).
public struct BatchProgress: Sendable {
    /// Epoch number, from 1.
    public var epoch: Int
    /// Batch number within the epoch, from 1.
    public var batch: Int
    /// Batches in this epoch.
    public var batchCount: Int
    /// Mean loss of this batch.
    public var loss: Double
    /// Training accuracy of this batch in [0, 1].
    public var accuracy: Double
    /// Images per second over the epoch so far.
    public var imagesPerSecond: Double
}

/// Summary of one finished epoch (1-based).
public struct EpochReport: Sendable, Codable, Equatable {
    /// Epoch number, from 1.
    public var epoch: Int
    /// Mean training loss over the epoch's samples.
    public var loss: Double
    /// Training accuracy in [0, 1].
    public var accuracy: Double
    /// Training images per second over the epoch.
    public var imagesPerSecond: Double
    /// Mean loss on the validation source, when one was given.
    public var validationLoss: Double?
    /// Accuracy in [0, 1] on the validation source, when one was given.
    public var validationAccuracy: Double?
}

/// What the epoch callback wants next (early stopping returns `.stop`).
public enum TrainingDecision: Sendable {
    case proceed
    case stop
}

/// Trains a `VGG16` with SGD or Adam on a `BatchSource`, reproducibly: the same seed, data and BLAS thread count
/// give bit-identical weights, and a run resumed from an epoch snapshot ends bit-identical to an uninterrupted one.
///
/// One generator (`options.seed`) draws, in order, each epoch's permutation, then per batch the augmentation
/// seed and the dropout masks.
public final class Trainer {
    /// The network being trained (updated in place).
    public let model: VGG16
    /// How to train.
    public let options: TrainingOptions
    /// The optimiser and its buffers.
    public private(set) var optimizer: any Optimizer
    /// The trainer's generator (its state goes into snapshots).
    public private(set) var rng: Xoshiro256StarStar
    /// Epochs finished so far (training continues with epoch `completedEpochs + 1`).
    public private(set) var completedEpochs = 0

    /// Called after every batch.
    public var onBatch: ((BatchProgress) -> Void)?
    /// Called after every epoch (after validation); returning `.stop` ends training early.
    public var onEpoch: ((EpochReport) throws -> TrainingDecision)?
    /// Called after every epoch with the state to store for resuming.
    public var onSnapshot: ((TrainingSnapshot) throws -> Void)?
    /// The batches hold block-5 features NCHW [n, C5, s, s] instead of images, and only the head trains
    /// (`VGG16.computeHeadGradients`); needs every conv block frozen.
    public var inputsAreFeatures = false

    /// A trainer starting at epoch 1; throws for epochs < 0 or batch size < 1.
    public init(model: VGG16, options: TrainingOptions) throws {
        guard options.epochs >= 0 else {
            throw CoreError.invalidConfiguration(field: "epochs", expected: "at least 0", found: "\(options.epochs)")
        }
        guard options.batchSize >= 1 else {
            throw CoreError.invalidConfiguration(field: "batch_size", expected: "at least 1", found: "\(options.batchSize)")
        }
        self.model = model
        self.options = options
        switch options.optimizer {
        case .sgd: optimizer = SGD(learningRate: options.learningRate, momentum: options.momentum, weightDecay: options.weightDecay)
        case .adam: optimizer = Adam(learningRate: options.learningRate, weightDecay: options.weightDecay)
        }
        self.rng = Xoshiro256StarStar(seed: options.seed)
    }

    /// A trainer continuing from `snapshot`: restores the model's weights and frozen blocks, the optimiser's state and the generator.
    public convenience init(model: VGG16, options: TrainingOptions, resumingFrom snapshot: TrainingSnapshot) throws {
        try self.init(model: model, options: options)
        guard snapshot.configuration == model.configuration else {
            throw CoreError.invalidData(field: "snapshot configuration", expected: "\(model.configuration)",
                                        found: "\(snapshot.configuration)")
        }
        for key in model.parameterKeys {
            guard let t = snapshot.parameters[key] else { throw CoreError.missingTensor(tensor: key, file: "snapshot") }
            try model.setParameter(key, t, source: "snapshot")
        }
        model.freezeDepth = snapshot.freezeDepth
        optimizer.buffers = snapshot.optimizerBuffers
        optimizer.steps = snapshot.optimizerSteps
        rng = Xoshiro256StarStar(state: snapshot.rngState)
        completedEpochs = snapshot.epoch
    }

    /// The state after `completedEpochs` epochs.
    public func snapshot() -> TrainingSnapshot {
        TrainingSnapshot(epoch: completedEpochs, configuration: model.configuration, freezeDepth: model.freezeDepth,
                         parameters: Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.key, $0.tensor) }),
                         optimizerBuffers: optimizer.buffers, optimizerSteps: optimizer.steps, rngState: rng.state)
    }

    /// Trains the remaining epochs; returns their reports. A NaN or infinite loss throws `CoreError.nonFiniteLoss`.
    /// The model's reusable buffers are released when training ends.
    @discardableResult
    public func fit(_ data: BatchSource, validation: BatchSource? = nil) throws -> [EpochReport] {
        guard data.count > 0 else { throw CoreError.invalidData(field: "training set", expected: "at least 1 sample", found: "0") }
        defer { model.releaseBuffers() }
        var reports: [EpochReport] = []
        while completedEpochs < options.epochs {
            let epoch = completedEpochs + 1
            let order = options.shuffle ? rng.permutation(data.count) : Array(0..<data.count)
            let batchCount = (data.count + options.batchSize - 1) / options.batchSize
            var lossSum = 0.0, correct = 0, seen = 0
            let start = Date()
            for b in 0..<batchCount {
                let indices = Array(order[(b * options.batchSize)..<min(data.count, (b + 1) * options.batchSize)])
                let batch = try data.batch(indices: indices, seed: rng.next())
                let result = inputsAreFeatures
                    ? try model.computeHeadGradients(features: batch.input, labels: batch.labels, loss: options.loss, training: true, rng: &rng)
                    : try model.computeGradients(input: batch.input, labels: batch.labels, loss: options.loss, training: true, rng: &rng)
                guard result.value.isFinite else { throw CoreError.nonFiniteLoss(epoch: epoch, batch: b + 1, value: result.value) }
                optimizer.step(model)
                lossSum += result.value * Double(indices.count)
                correct += result.correct
                seen += indices.count
                onBatch?(BatchProgress(epoch: epoch, batch: b + 1, batchCount: batchCount, loss: result.value,
                                       accuracy: Double(result.correct) / Double(indices.count),
                                       imagesPerSecond: Double(seen) / max(Date().timeIntervalSince(start), 1e-9)))
            }
            var report = EpochReport(epoch: epoch, loss: lossSum / Double(seen), accuracy: Double(correct) / Double(seen),
                                     imagesPerSecond: Double(seen) / max(Date().timeIntervalSince(start), 1e-9))
            if let validation {
                let v = try Self.evaluate(model, on: validation, loss: options.loss, batchSize: options.batchSize,
                                          inputsAreFeatures: inputsAreFeatures)
                report.validationLoss = v.loss
                report.validationAccuracy = v.accuracy
            }
            completedEpochs = epoch
            reports.append(report)
            try onSnapshot?(snapshot())
            if try onEpoch?(report) == .stop { break }
        }
        return reports
    }

    /// Mean loss and accuracy of `model` on every sample of `data` (images, or block-5 features when
    /// `inputsAreFeatures`), in order, dropout off.
    public static func evaluate(_ model: VGG16, on data: BatchSource, loss: Loss, batchSize: Int,
                                inputsAreFeatures: Bool = false) throws -> (loss: Double, accuracy: Double) {
        guard data.count > 0 else { return (0, 0) }
        var lossSum = 0.0, correct = 0
        var start = 0
        while start < data.count {
            let indices = Array(start..<min(data.count, start + batchSize))
            let batch = try data.batch(indices: indices, seed: 0)
            let z = inputsAreFeatures ? try model.headLogits(features: batch.input) : try model.logits(batch.input)
            try model.checkTargets(labels: batch.labels, batch: indices.count, loss: loss)
            let e = loss.evaluate(logits: z.data, labels: batch.labels, classes: model.configuration.classCount)
            lossSum += e.value * Double(indices.count)
            correct += e.correct
            start += batchSize
        }
        return (lossSum / Double(data.count), Double(correct) / Double(data.count))
    }
}
