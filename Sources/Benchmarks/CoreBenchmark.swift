import Core
import Foundation
import Randomness

/// Measures this machine: 2-thread sgemm GFLOP/s, VGG16 training/inference speed and LRP relevance maps per second
/// (`palimpsest bench`).
///
/// Each figure is the fastest of several timed repetitions after a warm-up: on a shared machine the fastest
/// run is the one least disturbed by other processes (sgemm and the networks are treated alike). Effective GFLOP/s count 2 FLOPs per multiply–add of
/// the convolutions and dense layers: inference = forward; a training step = forward + weight gradients of the
/// trainable layers + input gradients above the lowest trainable layer (≈ 3× forward when nothing is frozen).
public enum Benchmark {
    /// One network to measure.
    public struct Setup: Sendable {
        /// Name in the report (`full224`, …).
        public var name: String
        /// The network measured.
        public var configuration: VGG16Configuration
        /// Images per step.
        public var batch: Int
        /// Frozen conv blocks during the training steps.
        public var frozenBlocks: Int
        /// Timed repetitions (after one warm-up) of a training step and of an inference batch.
        public var repetitions: Int
        /// The conv kernel of every layer, or nil for the preferred one per layer (`VGG16.convolutionKernel`).
        public var kernel: ConvolutionKernel?
        /// Batches of the one `Trainer.fit` epoch timed after the steps (0: none), as a training node runs it.
        public var fitBatches: Int

        /// A setup measured with `repetitions` timed steps.
        public init(name: String, configuration: VGG16Configuration, batch: Int, frozenBlocks: Int = 0, repetitions: Int,
                    kernel: ConvolutionKernel? = nil, fitBatches: Int = 0) {
            self.name = name
            self.configuration = configuration
            self.batch = batch
            self.frozenBlocks = frozenBlocks
            self.repetitions = repetitions
            self.kernel = kernel
            self.fitBatches = fitBatches
        }
    }

    /// The measured configurations: full VGG16 at 224 px (batch 16, 1000 classes); the CPU-scaled VGG16
    /// (width 0.25, 64 px, head 512-512, 8 classes, batch 64); the scaled one with 3 frozen blocks; and the demo's
    /// base (`experiments/demo.yaml`: head 256-256, dropout 0.2, batch 32), the kernel figure its nodes compare with.
    public static let standardSetups: [Setup] = {
        let scaled = VGG16Configuration(inputSize: 64, inputChannels: 3, widthMultiplier: 0.25, headWidths: [512, 512], classCount: 8)
        let demo = VGG16Configuration(inputSize: 64, inputChannels: 3, widthMultiplier: 0.25, headWidths: [256, 256], classCount: 8,
                                      dropout: 0.2)
        return [
            Setup(name: "full224", configuration: VGG16Configuration(), batch: 16, repetitions: 3),
            Setup(name: "scaled64", configuration: scaled, batch: 64, repetitions: 10),
            Setup(name: "scaled64_frozen3", configuration: scaled, batch: 64, frozenBlocks: 3, repetitions: 10),
            Setup(name: "demo64", configuration: demo, batch: 32, repetitions: 10, fitBatches: 40),
        ]
    }()

    /// One network whose LRP relevance speed is measured.
    public struct RelevanceSetup: Sendable {
        /// Name in the report (`scaled64`, `full224`).
        public var name: String
        /// The network measured.
        public var configuration: VGG16Configuration
        /// Images per relevance pass.
        public var batch: Int
        /// The rules.
        public var composite: Composite
        /// Timed repetitions after one warm-up.
        public var repetitions: Int
        /// The conv kernel of every layer (the recorded pass and the rules), or nil for the preferred one per layer.
        public var kernel: ConvolutionKernel?

        /// A relevance setup measured with `repetitions` timed passes.
        public init(name: String, configuration: VGG16Configuration, batch: Int, composite: Composite = .zDenseZPlusConv,
                    repetitions: Int, kernel: ConvolutionKernel? = nil) {
            self.name = name
            self.configuration = configuration
            self.batch = batch
            self.composite = composite
            self.repetitions = repetitions
            self.kernel = kernel
        }
    }

    /// The study's relevance workloads with its composite (ε dense, z⁺ conv): the CPU-scaled VGG16 (width 0.25,
    /// 64 px, head 512-512, 8 classes) at batch 16 and full VGG16 at 224 px (1000 classes) at batch 8.
    public static let standardRelevanceSetups: [RelevanceSetup] = [
        RelevanceSetup(name: "scaled64", configuration: VGG16Configuration(inputSize: 64, inputChannels: 3, widthMultiplier: 0.25,
                                                                           headWidths: [512, 512], classCount: 8),
                       batch: 16, repetitions: 10),
        RelevanceSetup(name: "full224", configuration: VGG16Configuration(), batch: 8, repetitions: 2),
    ]

    /// Relevance speed of one setup.
    public struct RelevanceResult: Sendable, Codable, Equatable {
        /// The setup's name.
        public var name: String
        /// Images per pass.
        public var batch: Int
        /// Input relevance maps per second (one map = one image's relevance for one class, all blocks included).
        public var mapsPerSecond: Double
        /// Effective GFLOP/s, counting 3 forward passes per map (the recorded forward pass, then per conv and dense
        /// layer one forward and one transposed GEMM of the rule; exact for z⁺ and ε on non-negative inputs).
        public var gflops: Double

        enum CodingKeys: String, CodingKey {
            case name, batch, mapsPerSecond = "maps_per_s", gflops
        }
    }

    /// Figures of one configuration.
    public struct ConfigResult: Sendable, Codable, Equatable {
        /// The setup's name.
        public var name: String
        /// Images per step.
        public var batch: Int
        /// Training images per second (forward, loss, backward and SGD update).
        public var trainImagesPerSecond: Double
        /// Effective GFLOP/s of the training step.
        public var trainGFLOPS: Double
        /// Inference images per second (logits, dropout off).
        public var inferImagesPerSecond: Double
        /// Effective GFLOP/s of inference.
        public var inferGFLOPS: Double
        /// Peak resident memory of the process during the training steps (VmHWM), in MiB.
        public var trainPeakRSSMiB: Double?
        /// Training images per second over the mean timed step (`trainImagesPerSecond` is over the fastest one).
        public var trainMeanImagesPerSecond: Double?
        /// Training images per second of one whole `Trainer.fit` epoch, as a training node runs it (shuffled batches
        /// from memory, Adam, a validation pass over 10 % more images at the end, the epoch snapshot), when measured.
        public var fitImagesPerSecond: Double?

        enum CodingKeys: String, CodingKey {
            case name, batch
            case trainImagesPerSecond = "train_images_per_s", trainGFLOPS = "train_gflops"
            case inferImagesPerSecond = "infer_images_per_s", inferGFLOPS = "infer_gflops"
            case trainPeakRSSMiB = "train_peak_rss_mib", trainMeanImagesPerSecond = "train_mean_images_per_s"
            case fitImagesPerSecond = "fit_images_per_s"
        }
    }

    /// A whole benchmark run.
    public struct Report: Sendable, Codable, Equatable {
        /// 2-thread sgemm (4096³) GFLOP/s: the physical limit of an im2col network.
        public var sgemmGFLOPS: Double
        /// One result per setup, in order.
        public var configs: [ConfigResult]
        /// OpenBLAS threads used.
        public var threads: Int
        /// OpenBLAS kernel family in use (`BLAS.coreName`).
        public var kernels: String
        /// The C kernels' instruction set (`DirectKernel.instructionSet`: avx512, avx2 or scalar), direct 3×3 and Winograd transforms.
        public var directInstructionSet: String?
        /// 1-minute load average before the run (other processes competing for the cores).
        public var loadAverage: Double?
        /// LRP relevance speed per relevance setup, in order.
        public var relevance: [RelevanceResult] = []

        enum CodingKeys: String, CodingKey {
            case sgemmGFLOPS = "sgemm_gflops", configs, threads, kernels, directInstructionSet = "direct_isa"
            case loadAverage = "load_average", relevance
        }
    }

    /// Runs sgemm, the standard setups and the relevance setups on all cores; `progress` receives one line per
    /// finished measurement. `kernel` forces one conv kernel in every setup, relevance included (nil: the preferred one
    /// per layer).
    public static func run(setups: [Setup] = standardSetups, relevanceSetups: [RelevanceSetup] = standardRelevanceSetups,
                           kernel: ConvolutionKernel? = nil, progress: ((String) -> Void)? = nil) throws -> Report {
        KernelTiming.useAllCores()
        let load = loadAverage()
        let sgemm = KernelTiming.sgemmGFLOPS(size: 4096, repetitions: 3)
        progress?(String(format: "sgemm 4096³: %.1f GFLOP/s on %d threads (%@ kernels)", sgemm, BLAS.threads, BLAS.coreName))
        var configs: [ConfigResult] = []
        for var setup in setups {
            if let kernel { setup.kernel = kernel }
            let r = try measure(setup)
            progress?(String(format: "%@: train %.2f images/s (%.1f GFLOP/s), infer %.2f images/s (%.1f GFLOP/s)",
                             r.name, r.trainImagesPerSecond, r.trainGFLOPS, r.inferImagesPerSecond, r.inferGFLOPS)
                      + (r.fitImagesPerSecond.map { String(format: ", Trainer.fit epoch %.2f images/s", $0) } ?? ""))
            configs.append(r)
        }
        var relevance: [RelevanceResult] = []
        for var setup in relevanceSetups {
            if let kernel { setup.kernel = kernel }
            let r = try measureRelevance(setup)
            progress?(String(format: "%@ LRP relevance (%@): %.2f maps/s (%.1f GFLOP/s), batch %d",
                             r.name, setup.composite.description, r.mapsPerSecond, r.gflops, r.batch))
            relevance.append(r)
        }
        return Report(sgemmGFLOPS: sgemm, configs: configs, threads: BLAS.threads, kernels: BLAS.coreName,
                      directInstructionSet: DirectKernel.instructionSet, loadAverage: load, relevance: relevance)
    }

    /// Relevance maps per second of one setup on deterministic pseudo-images in [0, 1).
    public static func measureRelevance(_ setup: RelevanceSetup) throws -> RelevanceResult {
        let model = try VGG16(configuration: setup.configuration, seed: 1)
        model.convolutionKernel = setup.kernel
        let c = setup.configuration, n = setup.batch
        let input = Tensor(shape: [n, c.inputChannels, c.inputSize, c.inputSize],
                           data: (0..<(n * c.inputChannels * c.inputSize * c.inputSize)).map { Float($0 % 251) / 251 })
        let classes = (0..<n).map { $0 % c.classCount }
        var times: [Double] = []
        for _ in 0...setup.repetitions {
            var failure: Error?
            times.append(seconds {
                do { _ = try model.relevance(input: input, classes: classes, composite: setup.composite) } catch { failure = error }
            })
            if let failure { throw failure }
        }
        let best = times.dropFirst().min()!
        return RelevanceResult(name: setup.name, batch: n, mapsPerSecond: Double(n) / best,
                               gflops: 3 * Double(n) * c.forwardFLOPs / best / 1e9)
    }

    /// Training-step and inference speed of one setup on random data.
    public static func measure(_ setup: Setup) throws -> ConfigResult {
        let model = try VGG16(configuration: setup.configuration, seed: 1)
        model.frozenBlocks = setup.frozenBlocks
        model.convolutionKernel = setup.kernel
        let c = setup.configuration, n = setup.batch
        let input = Tensor(shape: [n, c.inputChannels, c.inputSize, c.inputSize],
                           data: (0..<(n * c.inputChannels * c.inputSize * c.inputSize)).map { Float($0 % 251) / 251 })
        let labels = (0..<n).map { $0 % c.classCount }
        var rng = Xoshiro256StarStar(seed: 1)
        var sgd = SGD(learningRate: 1e-4)
        resetPeakResident()
        var trainTimes: [Double] = []
        for _ in 0...setup.repetitions {
            var failure: Error?
            trainTimes.append(seconds {
                do {
                    _ = try model.computeGradients(input: input, labels: labels, loss: .crossEntropy(), training: true, rng: &rng)
                    sgd.step(model)
                } catch { failure = error }
            })
            if let failure { throw failure }
        }
        let peak = peakResident().map { Double($0) / 1_048_576 }
        var inferTimes: [Double] = []
        for _ in 0...setup.repetitions {
            var failure: Error?
            inferTimes.append(seconds { do { _ = try model.logits(input) } catch { failure = error } })
            if let failure { throw failure }
        }
        let train = trainTimes.dropFirst().min()!, infer = inferTimes.dropFirst().min()!
        let timed = trainTimes.dropFirst()
        return ConfigResult(name: setup.name, batch: n, trainImagesPerSecond: Double(n) / train,
                            trainGFLOPS: model.trainingStepFLOPs(batch: n) / train / 1e9,
                            inferImagesPerSecond: Double(n) / infer,
                            inferGFLOPS: Double(n) * c.forwardFLOPs / infer / 1e9, trainPeakRSSMiB: peak,
                            trainMeanImagesPerSecond: Double(n * timed.count) / timed.reduce(0, +),
                            fitImagesPerSecond: setup.fitBatches > 0 ? try measureFit(model, setup) : nil)
    }

    /// Images per second of one `Trainer.fit` epoch of `setup.fitBatches` batches on deterministic pseudo-images,
    /// timed whole: what a training node does per epoch once its images are decoded (Adam, the study's focal loss,
    /// a validation pass over 10 % more images, the epoch snapshot, kept in memory).
    static func measureFit(_ model: VGG16, _ setup: Setup) throws -> Double {
        let c = setup.configuration, n = setup.batch * setup.fitBatches, validation = max(1, n / 10)
        let plane = c.inputChannels * c.inputSize * c.inputSize
        func source(_ count: Int, _ offset: Int) throws -> InMemoryBatchSource {
            try InMemoryBatchSource(images: Tensor(shape: [count, c.inputChannels, c.inputSize, c.inputSize],
                                                   data: (0..<(count * plane)).map { Float(($0 + offset) % 251) / 251 }),
                                    labels: (0..<count).map { ($0 + offset) % c.classCount })
        }
        let train = try source(n, 0), check = try source(validation, 7)
        let options = TrainingOptions(epochs: 1, batchSize: setup.batch, optimizer: .adam, learningRate: 1e-5,
                                      loss: .focal(gamma: 5), seed: 1)
        let trainer = try Trainer(model: model, options: options)
        trainer.onSnapshot = { _ in }
        var failure: Error?
        let time = seconds { do { try trainer.fit(train, validation: check) } catch { failure = error } }
        if let failure { throw failure }
        return Double(n) / time
    }

    /// Training and inference speed of one setup with one kernel choice, from `compareKernels`.
    public struct KernelComparison: Sendable, Codable, Equatable {
        /// The setup's name.
        public var name: String
        /// `preferred` (the network's per-layer choice) or a `ConvolutionKernel` raw value forced in every layer.
        public var kernel: String
        public var batch: Int
        public var trainImagesPerSecond: Double
        public var inferImagesPerSecond: Double

        enum CodingKeys: String, CodingKey {
            case name, kernel, batch, trainImagesPerSecond = "train_images_per_s", inferImagesPerSecond = "infer_images_per_s"
        }
    }

    /// Each setup with each kernel choice (nil: the preferred kernel per layer), the choices' steps interleaved
    /// repetition by repetition so that load from other processes hits them alike; fastest of `setup.repetitions`
    /// after a warm-up, as `measure`.
    public static func compareKernels(setups: [Setup] = Array(standardSetups.prefix(2)),
                                      kernels: [ConvolutionKernel?] = [nil, .im2col]) throws -> [KernelComparison] {
        KernelTiming.useAllCores()
        var results: [KernelComparison] = []
        for setup in setups {
            let c = setup.configuration, n = setup.batch
            let models = try kernels.map { kernel in
                let model = try VGG16(configuration: c, seed: 1)
                model.frozenBlocks = setup.frozenBlocks
                model.convolutionKernel = kernel
                return model
            }
            let input = Tensor(shape: [n, c.inputChannels, c.inputSize, c.inputSize],
                               data: (0..<(n * c.inputChannels * c.inputSize * c.inputSize)).map { Float($0 % 251) / 251 })
            let labels = (0..<n).map { $0 % c.classCount }
            var train = [[Double]](repeating: [], count: models.count), infer = train
            for _ in 0...setup.repetitions {
                for (i, model) in models.enumerated() {
                    var rng = Xoshiro256StarStar(seed: 1)
                    var failure: Error?
                    train[i].append(seconds {
                        do {
                            _ = try model.computeGradients(input: input, labels: labels, loss: .crossEntropy(), training: true,
                                                           rng: &rng)
                        } catch { failure = error }
                    })
                    if let failure { throw failure }
                }
                for (i, model) in models.enumerated() {
                    var failure: Error?
                    infer[i].append(seconds { do { _ = try model.logits(input) } catch { failure = error } })
                    if let failure { throw failure }
                }
            }
            for (i, kernel) in kernels.enumerated() {
                results.append(KernelComparison(name: setup.name, kernel: kernel?.rawValue ?? "preferred", batch: n,
                                                trainImagesPerSecond: Double(n) / train[i].dropFirst().min()!,
                                                inferImagesPerSecond: Double(n) / infer[i].dropFirst().min()!))
            }
            for model in models { model.releaseBuffers() }
        }
        return results
    }

    /// Speed of one conv layer shape with one kernel.
    public struct ConvLayerResult: Sendable, Codable, Equatable {
        /// The network (`scaled64`, `full224`) and the first layer of that shape (`block1.conv2`).
        public var config: String
        public var layer: String
        public var inChannels: Int
        public var outChannels: Int
        /// Image side in pixels.
        public var size: Int
        public var batch: Int
        /// `ConvolutionKernel` raw value.
        public var kernel: String
        /// Effective GFLOP/s (2·O·9C·H·W·N FLOPs per pass) of the forward pass (bias + ReLU included).
        public var forwardGFLOPS: Double
        /// Effective GFLOP/s of the weight, bias and input gradients together (twice the forward FLOPs).
        public var backwardGFLOPS: Double
        /// Whether the network uses this kernel for this shape (`ConvolutionKernel.preferred`).
        public var preferred: Bool

        enum CodingKeys: String, CodingKey {
            case config, layer, inChannels = "in_channels", outChannels = "out_channels", size, batch, kernel
            case forwardGFLOPS = "forward_gflops", backwardGFLOPS = "backward_gflops", preferred
        }
    }

    /// Every distinct conv layer shape of the first `setups` with every kernel, back to back per shape: the fastest
    /// of `repetitions` timed passes after a warm-up, on deterministic data (`KernelTiming.convLayers`).
    public static func measureConvLayers(setups: [Setup] = Array(standardSetups.prefix(2)), repetitions: Int = 5)
        -> [ConvLayerResult] {
        KernelTiming.useAllCores()
        var results: [ConvLayerResult] = []
        for setup in setups {
            guard let model = try? VGG16(configuration: setup.configuration, seed: 1) else { continue }
            for t in KernelTiming.convLayers(of: model, batch: setup.batch, repetitions: repetitions) {
                results.append(ConvLayerResult(
                    config: setup.name, layer: t.layer, inChannels: t.inChannels, outChannels: t.outChannels, size: t.size,
                    batch: setup.batch, kernel: t.kernel.rawValue, forwardGFLOPS: t.forwardGFLOPS,
                    backwardGFLOPS: t.backwardGFLOPS, preferred: t.preferred))
            }
        }
        return results
    }

    /// The process's peak resident set size (VmHWM) in bytes, on Linux.
    public static func peakResident() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kib = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kib * 1024
    }

    /// Resets VmHWM to the current resident size (Linux `clear_refs` value 5); harmless elsewhere.
    static func resetPeakResident() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    static func loadAverage() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
        return text.split(separator: " ").first.flatMap { Double($0) }
    }

    private static func seconds(_ body: () -> Void) -> Double { KernelTiming.seconds(body) }
}
