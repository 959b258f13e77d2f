import Core
import Faces
import Foundation
import Graph

/// The training params `train_base`, `finetune` and `retrain_head` share, with each kind's study defaults.
/// The `augmentation` param of the training kinds.
enum AugmentationChoice: String, Decodable, CaseIterable {
    /// No augmentation.
    case none
    /// Horizontal flips.
    case flip
    /// The study's pain augmentation: rotation, shifts, shear, zoom, flip.
    case pain
}

struct TrainingParams {
    var epochs: Int
    var batchSize: Int
    var optimizer: OptimizerMethod
    var learningRate: Float
    var momentum: Float
    var weightDecay: Float
    /// Focal-loss γ (0: cross-entropy).
    var gamma: Double
    /// Class-balanced weights' β (Cui et al. 2019); 0: unweighted.
    var classBalance: Double
    var augmentation: AugmentationChoice
    /// Epochs without a better validation loss before stopping; 0: never stop early.
    var patience: Int

    /// The study's defaults for one kind: `gamma`, `classBalance` and `augmentation` differ between tasks.
    static func specs(epochs: Int, gamma: Double, classBalance: Double, augmentation: AugmentationChoice) -> [ParamSpec] {
        [
            .int("epochs", default: epochs, range: 1...100_000, doc: "Training epochs (the most; early stopping may end sooner)."),
            .int("batch_size", default: 32, range: 1...4096, doc: "Images per optimiser step."),
            .string("optimizer", default: "sgd", allowed: OptimizerMethod.allCases.map(\.rawValue),
                    doc: "sgd (the study's) or adam (Keras' β₁ 0.9, β₂ 0.999, ε 1e-7: leaves the from-scratch plateau far sooner)."),
            .number("lr", default: 0.01, range: 1e-9...10, doc: "Learning rate (the study: SGD 0.01)."),
            .number("momentum", default: 0.9, range: 0...0.999, doc: "SGD momentum (not stated in the study; 0.9 trains these nets in far fewer epochs); Adam ignores it."),
            .number("weight_decay", default: 0, range: 0...1, doc: "L2 weight decay."),
            .number("gamma", default: gamma, range: 0...20, doc: "Focal loss γ (0 = cross-entropy)."),
            .number("class_balance", default: classBalance, range: 0...0.9999999, doc: "β of class-balanced loss weights (Cui et al. 2019); 0 = unweighted."),
            .string("augmentation", default: augmentation.rawValue, allowed: AugmentationChoice.allCases.map(\.rawValue),
                    doc: "none; flip (horizontal flips); pain (the study's: rotation 25°, shifts 0.1, shear 0.1, zoom 0.1, flip)."),
            .int("patience", default: 3, range: 0...100_000, doc: "Stop after this many epochs without a lower validation loss and keep the best epoch's weights (0 = train all epochs, keep the last)."),
        ]
    }

    /// Decodes the checked params once (the rates as the numbers they are, then narrowed to `Float`).
    init(_ p: ParamSet) throws {
        struct Checked: Decodable {
            var epochs: Int, batchSize: Int, optimizer: OptimizerMethod
            var lr: Double, momentum: Double, weightDecay: Double, gamma: Double, classBalance: Double
            var augmentation: AugmentationChoice, patience: Int
        }
        let c = try p.decode(Checked.self)
        epochs = c.epochs
        batchSize = c.batchSize
        optimizer = c.optimizer
        learningRate = Float(c.lr)
        momentum = Float(c.momentum)
        weightDecay = Float(c.weightDecay)
        gamma = c.gamma
        classBalance = c.classBalance
        augmentation = c.augmentation
        patience = c.patience
    }

    var augmentationValue: Augmentation? {
        switch augmentation {
        case .flip: return .flipOnly
        case .pain: return .painStudy
        case .none: return nil
        }
    }

    /// The loss for a training set with `counts` images per class.
    func loss(counts: [Int]) throws -> Loss {
        guard classBalance > 0 else { return .focal(gamma: gamma) }
        return .focal(gamma: gamma, classWeights: try Loss.classBalancedWeights(counts: counts, beta: classBalance))
    }
}

/// `history.json` of a training node: per-epoch losses and accuracies only, so that the same training gives the
/// same bytes (epoch times go to the node's log).
struct TrainingHistory: Codable {
    struct Epoch: Codable {
        var epoch: Int
        var trainLoss: Double
        var trainAccuracy: Double
        var validationLoss: Double?
        var validationAccuracy: Double?
        enum CodingKeys: String, CodingKey {
            case epoch, trainLoss = "train_loss", trainAccuracy = "train_accuracy", validationLoss = "validation_loss"
            case validationAccuracy = "validation_accuracy"
        }
    }

    var epochs: [Epoch] = []
    var bestEpoch: Int = 0
    var stoppedEarly = false

    enum CodingKeys: String, CodingKey { case epochs, bestEpoch = "best_epoch", stoppedEarly = "stopped_early" }
}

/// Trains a model inside a node: progress to the runner, a snapshot in the node's `partial/` directory after every
/// epoch (a killed run resumes there and ends bit-identical to an uninterrupted one), early stopping on the
/// validation loss with the best epoch's weights restored, and `history.json`.
enum TrainingRun {
    /// What survives a kill besides the trainer snapshot: the history so far and the best epoch's weights.
    private struct Progress: Codable {
        var history: TrainingHistory
        var bestLoss: Double?
    }

    /// Trains `model` on `train` (validated on `validation`) and writes `history.json` into `historyDirectory`.
    ///
    /// - Parameter inputsAreFeatures: the sources hold block-5 features and only the head trains.
    static func fit(_ model: VGG16, train: Core.BatchSource, validation: Core.BatchSource, params t: TrainingParams, loss: Loss,
                    inputsAreFeatures: Bool = false, context: NodeContext, historyDirectory: URL) throws {
        let options = TrainingOptions(epochs: t.epochs, batchSize: t.batchSize, optimizer: t.optimizer, learningRate: t.learningRate, momentum: t.momentum,
                                      weightDecay: t.weightDecay, loss: loss, seed: context.seed)
        let partial = context.partialDirectory
        let snapshotURL = partial.appendingPathComponent("snapshot.safetensors")
        let progressURL = partial.appendingPathComponent("progress.json")
        let bestURL = partial.appendingPathComponent("best.safetensors")
        var state = Progress(history: TrainingHistory(), bestLoss: nil)
        let trainer: Trainer
        if FileManager.default.fileExists(atPath: snapshotURL.path),
           let data = try? Data(contentsOf: progressURL), let saved = try? JSONDecoder().decode(Progress.self, from: data),
           let snapshot = try? TrainingSnapshot.read(from: snapshotURL), snapshot.epoch == saved.history.epochs.count {
            trainer = try Trainer(model: model, options: options, resumingFrom: snapshot)
            state = saved
            context.log("resuming after epoch \(snapshot.epoch) from \(snapshotURL.path)")
        } else {
            trainer = try Trainer(model: model, options: options)
        }
        trainer.inputsAreFeatures = inputsAreFeatures
        let batches = (train.count + t.batchSize - 1) / t.batchSize
        var epochStart = Date()
        trainer.onBatch = { b in
            if b.batch == 1 { epochStart = Date() }
            context.progress(epoch: b.epoch, of: t.epochs, batch: b.batch, of: batches, loss: b.loss)
        }
        var waited = 0
        if let best = state.bestLoss, let bestEpoch = state.history.epochs.firstIndex(where: { $0.validationLoss == best }) {
            waited = state.history.epochs.count - 1 - bestEpoch
        }
        trainer.onEpoch = { [unowned trainer] report in
            let epoch = TrainingHistory.Epoch(epoch: report.epoch, trainLoss: report.loss, trainAccuracy: report.accuracy,
                                              validationLoss: report.validationLoss, validationAccuracy: report.validationAccuracy)
            state.history.epochs.append(epoch)
            context.log(String(format: "epoch %d: loss %.4f acc %.3f, validation loss %.4f acc %.3f (%.1f s; training steps %.1f images/s)",
                               report.epoch, report.loss, report.accuracy, report.validationLoss ?? .nan, report.validationAccuracy ?? .nan,
                               Date().timeIntervalSince(epochStart), report.imagesPerSecond))
            var decision = TrainingDecision.proceed
            if let v = report.validationLoss, v < (state.bestLoss ?? .infinity) {
                state.bestLoss = v
                state.history.bestEpoch = report.epoch
                waited = 0
                if t.patience > 0 { try model.saveWeights(to: bestURL) }
            } else {
                waited += 1
                if t.patience > 0, waited >= t.patience {
                    state.history.stoppedEarly = report.epoch < t.epochs
                    decision = .stop
                }
            }
            // Snapshot first, then the progress that names its epoch: a kill between the two restarts cleanly.
            let temporary = partial.appendingPathComponent("snapshot.tmp")
            try trainer.snapshot().write(to: temporary)
            guard rename(temporary.path, snapshotURL.path) == 0 else { throw NodeFailure("cannot write \(snapshotURL.path): errno \(errno)") }
            try JSONEncoder().encode(state).write(to: progressURL, options: .atomic)
            return decision
        }
        try trainer.fit(train, validation: validation)
        if t.patience > 0, state.history.bestEpoch > 0, state.history.bestEpoch < state.history.epochs.count {
            try model.loadWeights(from: bestURL)
            context.log("kept the weights of epoch \(state.history.bestEpoch) (lowest validation loss \(state.bestLoss ?? .nan))")
        }
        if t.patience == 0 { state.history.bestEpoch = state.history.epochs.count }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(state.history).write(to: historyDirectory.appendingPathComponent("history.json"))
        if let last = state.history.epochs.last {
            context.metric("epochs", Double(state.history.epochs.count))
            context.metric("best_epoch", Double(state.history.bestEpoch))
            let best = state.history.epochs[max(0, state.history.bestEpoch - 1)]
            context.metric("validation_loss", best.validationLoss ?? last.trainLoss)
            context.metric("validation_accuracy", best.validationAccuracy ?? last.trainAccuracy)
        }
    }
}
