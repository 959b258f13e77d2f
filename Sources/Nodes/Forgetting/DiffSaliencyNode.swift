import Core
import Faces
import Foundation
import Graph

/// `diff_saliency`: LRP maps of two models on the test images model A classifies correctly and model B wrongly,
/// for the true class, and their difference (the study's Fig. 5).
///
/// Per image, the input relevance (composite `rule`, relevance starting at the true class as `start` says) is summed
/// over channels and divided by its largest absolute value, and negative relevance (evidence against the
/// class) is clipped to 0: 1 = the image's strongest relevance, 0.5 = half of it. A model that sees only
/// evidence against the true class gets an all-zero map. The difference (`difference`):
/// - `normalised_maps`: `0.5 + (a − b) / 2` of those maps, in [0, 1] (0.5 = no difference, 1 = relevant for A only);
/// - `raw_maps` (the study's): the raw channel-summed maps subtracted, A − B, and that difference min–max
///   normalised per image to [0, 1] (0 = where B exceeds A most, 1 = where A exceeds B most; no fixed zero point).
///
/// Output (docs/artifacts.md §7): `selection.json`, `maps.safetensors` (a, b, diff [N, H, W] and the inputs `images`
/// [N, C, H, W]), `grid_<class>.png` (rows input | A | B | A−B, one column per image) and
/// `heatmaps/<n>_{a,b,diff}.png`. When no image qualifies, the output holds an empty selection (N = 0, no figures)
/// and the metric `images` is 0.
public struct DiffSaliencyNode: NodeKind {
    public static let kind = "diff_saliency"
    /// 2: the LRP rules run on each conv layer's kernel (Winograd on wide layers), which changes the maps' last bits.
    public static let version = 2
    public static let summary = "LRP relevance of models A and B on images A gets right and B wrong; maps, difference, figures."
    public static let params: [ParamSpec] = [
        ParamSpec("classes", .list(.string), default: .list([]), doc: "Class names to explain (any case); empty: every class."),
        ParamSpec("per_class", .any, default: .int(8),
                  doc: "At most this many images per class (1…10000), spread evenly over the candidates; all: every candidate (the study's).",
                  check: { value in capCheck(value) }),
        .string("rule", default: "z_dense_zplus_conv", allowed: Composite.presetNames,
                doc: "LRP composite: z_dense_zplus_conv (z-rule dense, z⁺ conv), epsilon_plus_flat, epsilon_gamma_box."),
        .string("start", default: RelevanceStart.logit.rawValue, allowed: [RelevanceStart.logit, .softmaxGradient].map(\.rawValue),
                doc: "Where relevance starts: logit (the study's: the true class's logit, other classes 0) or softmax_gradient (contrastive, SGLRP: p_y(δ_yk − p_k) at every class k, so what speaks for the classes the model weighs against the true one counts against it)."),
        .int("batch", default: 16, range: 1...1024, doc: "Images per forward/relevance pass."),
        .string("difference", default: "normalised_maps", allowed: Difference.allCases.map(\.rawValue),
                doc: "normalised_maps: 0.5 + (a − b)/2 of the normalised, clipped maps (0.5 = no difference); raw_maps (the study's): raw maps subtracted, the difference min–max normalised to [0, 1]."),
    ]

    /// The checked params, decoded once.
    struct Params: Decodable {
        /// Which images: the classes and at most how many of each.
        var classes: [String], perClass: Cap
        /// How relevance is computed and compared.
        var rule: String, start: RelevanceStart, batch: Int, difference: Difference
    }

    /// `per_class`: at most `limit` images per class, or every candidate (`all`: nil).
    struct Cap: Decodable {
        let limit: Int?
        init(from decoder: Decoder) throws { limit = try? decoder.singleValueContainer().decode(Int.self) }
    }

    /// How the difference map is made (the `difference` param).
    enum Difference: String, CaseIterable, Decodable {
        case normalisedMaps = "normalised_maps"
        case rawMaps = "raw_maps"
    }

    /// nil for a valid `per_class` (an integer 1…10000 or "all"), else the complaint.
    static func capCheck(_ value: ParamValue) -> String? {
        if value.stringValue == "all" { return nil }
        guard case .int(let n) = value, (1...10_000).contains(n) else { return "expected an integer 1…10000 or all, found \(value)" }
        return nil
    }
    public static let inputs: [PortSpec] = [
        PortSpec("a", doc: "Model A (expected to be right), a model output."),
        PortSpec("b", doc: "Model B (expected to be wrong), a model output with the same classes."),
        PortSpec("data", doc: "The dataset whose test split is explained (affectnet or ckplus format)."),
    ]
    public static let outputs: [OutputSpec] = [OutputSpec("saliency", doc: "selection.json, maps.safetensors, grid_<class>.png, heatmaps/.")]
    public static let usesSeed = false

    public static func run(_ context: NodeContext) throws {
        let inputA = try context.input("a"), inputB = try context.input("b")
        let a = try ModelArtifact.load(inputA), b = try ModelArtifact.load(inputB)
        guard a.classNames == b.classNames else {
            throw NodeFailure("models \(inputA.instance) and \(inputB.instance) have different classes: \(a.classNames) vs \(b.classNames)")
        }
        guard a.pipeline == b.pipeline else {
            throw NodeFailure("models \(inputA.instance) and \(inputB.instance) take different inputs: \(a.pipeline) vs \(b.pipeline)")
        }
        let params = try context.params.decode(Params.self)
        let ruleName = params.rule
        let difference = params.difference
        let p = a.pipeline.normalization
        let channels = a.pipeline.channels
        let low = (0..<channels).map { c in (0 - (p.mean.count == 1 ? p.mean[0] : p.mean[c])) / (p.std.count == 1 ? p.std[0] : p.std[c]) }
        let high = (0..<channels).map { c in (1 - (p.mean.count == 1 ? p.mean[0] : p.mean[c])) / (p.std.count == 1 ? p.std[0] : p.std[c]) }
        let composite = try Composite.named(ruleName, low: low, high: high)

        let data = try ForgettingData(try context.input("data"))
        let test = try data.testSet()
        // Class names match case-insensitively ("contempt" in the experiment file, "Contempt" in the data).
        func index(of name: String, in names: [String]) -> Int? { names.firstIndex { $0.lowercased() == name.lowercased() } }
        let requested = params.classes
        var classes: [String] = []
        for name in requested.isEmpty ? a.classNames : requested {
            guard let c = index(of: name, in: a.classNames), index(of: name, in: test.classNames) != nil else {
                throw NodeFailure("class '\(name)' is not a class of both the models \(a.classNames) and the dataset \(test.classNames)")
            }
            classes.append(a.classNames[c])
        }
        // Labels in the models' class order; only images of the chosen classes are predicted.
        let datasetToModel = test.classNames.map { index(of: $0, in: a.classNames) }
        let samples = test.samples.filter { datasetToModel[$0.label].map { classes.contains(a.classNames[$0]) } ?? false }
        let labels = samples.map { datasetToModel[$0.label]! }
        let modelIndex = Dictionary(a.classNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let batchSize = params.batch
        context.progress(0, "predicting \(samples.count) images with A and B")
        let images = try ImageSet(samples, pipeline: a.pipeline)  // decoded once: A and B take the same inputs
        let predictedA = try images.predictions(of: a.model, batchSize: batchSize)
        let predictedB = try images.predictions(of: b.model, batchSize: batchSize)
        let chosen = SaliencySelection.pick(labels: labels, predictedA: predictedA, predictedB: predictedB,
                                            classes: classes.map { modelIndex[$0]! }, cap: params.perClass.limit)
        for name in classes {
            let c = modelIndex[name]!
            let total = labels.filter { $0 == c }.count
            let candidates = labels.indices.filter { labels[$0] == c && predictedA[$0] == c && predictedB[$0] != c }.count
            context.log("\(name): \(candidates) of \(total) test images right by A and wrong by B; \(chosen.filter { labels[$0] == c }.count) explained")
        }
        if chosen.isEmpty {
            // Not an error: weak or similar models may agree everywhere; downstream nodes see an empty selection.
            context.log("no test image of \(classes.joined(separator: ", ")) is classified correctly by \(inputA.instance) and "
                + "wrongly by \(inputB.instance) (\(samples.count) images checked): the selection is empty")
        }

        let h = a.pipeline.height, w = a.pipeline.width, plane = h * w
        var mapsA: [Float] = [], mapsB: [Float] = [], diff: [Float] = [], inputs: [RasterImage] = []
        for start in stride(from: 0, to: chosen.count, by: batchSize) {
            let indices = chosen[start..<min(start + batchSize, chosen.count)]
            let input = try images.batch(indices: Array(indices), seed: 0).input
            let targets = indices.map { labels[$0] }
            let rawA = try a.model.relevance(input: input, classes: targets, composite: composite, start: params.start).summedOverChannels().data
            let rawB = try b.model.relevance(input: input, classes: targets, composite: composite, start: params.start).summedOverChannels().data
            let normalisedA = normalised(rawA, plane: plane), normalisedB = normalised(rawB, plane: plane)
            mapsA += normalisedA
            mapsB += normalisedB
            switch difference {
            case .normalisedMaps: diff += zip(normalisedA, normalisedB).map { 0.5 + ($0 - $1) / 2 }
            case .rawMaps: diff += minMax(zip(rawA, rawB).map { $0 - $1 }, plane: plane)
            }
            inputs += indices.map { images.images[$0] }
            context.progress(Double(start + indices.count) / Double(chosen.count), "relevance \(start + indices.count)/\(chosen.count)")
        }

        var selected: [SaliencyArtifact.Selected] = []
        for index in chosen {
            let sample = samples[index]
            var landmarks: [SIMD2<Float>]?
            if sample.landmarks != nil {
                let source = try ImageFile.read(sample.image)
                landmarks = sample.inputLandmarks(sourceWidth: source.width, sourceHeight: source.height, width: w, height: h)
            }
            selected.append(.init(id: sample.key, className: a.classNames[labels[index]], landmarks: landmarks))
        }
        let n = chosen.count
        let artifact = SaliencyArtifact(
            selection: .init(rule: ruleName, a: inputA.instance, b: inputB.instance, classes: classes, images: selected,
                             difference: difference == .rawMaps ? difference.rawValue : nil,
                             start: params.start == .logit ? nil : params.start.rawValue),
            a: Tensor(shape: [n, h, w], data: mapsA), b: Tensor(shape: [n, h, w], data: mapsB), diff: Tensor(shape: [n, h, w], data: diff),
            images: Tensor(shape: [n, channels, h, w], data: inputs.flatMap(\.pixels)))
        let out = context.output()
        try artifact.write(to: out)
        try writeFigures(artifact, inputs: inputs, to: out)
        context.metric("images", Double(n))
    }

    /// Per image of `maps` ([N, plane]): divided by the largest absolute value, negative values to 0 (an all-zero
    /// map stays 0).
    static func normalised(_ maps: [Float], plane: Int) -> [Float] {
        var out = maps
        for start in stride(from: 0, to: out.count, by: plane) {
            let peak = out[start..<start + plane].map(abs).max()!
            for i in start..<start + plane { out[i] = peak > 0 ? max(out[i], 0) / peak : 0 }
        }
        return out
    }

    /// Per image of `maps` ([N, plane]): (v − min) / (max − min), in [0, 1]; a constant map becomes 0.5.
    static func minMax(_ maps: [Float], plane: Int) -> [Float] {
        var out = maps
        for start in stride(from: 0, to: out.count, by: plane) {
            let part = out[start..<start + plane]
            let lo = part.min()!, hi = part.max()!
            for i in start..<start + plane { out[i] = hi > lo ? (out[i] - lo) / (hi - lo) : 0.5 }
        }
        return out
    }

    /// `grid_<class>.png` per class and `heatmaps/<n>_{a,b,diff}.png` per image; the difference is drawn
    /// blue–white–red around 0.5 when it is centred there, else "hot" like the maps.
    static func writeFigures(_ artifact: SaliencyArtifact, inputs: [RasterImage], to out: URL) throws {
        let h = artifact.height, w = artifact.width, plane = h * w
        let centred = artifact.selection.difference == nil
        func map(_ t: Tensor, _ n: Int) -> ArraySlice<Float> { t.data[n * plane..<(n + 1) * plane] }
        let heatmaps = out.appendingPathComponent("heatmaps")
        try FileManager.default.createDirectory(at: heatmaps, withIntermediateDirectories: true)
        for n in inputs.indices {
            try PNGCodec.write(SaliencyFigures.heat(map(artifact.a, n), width: w, height: h), to: heatmaps.appendingPathComponent("\(n)_a.png"))
            try PNGCodec.write(SaliencyFigures.heat(map(artifact.b, n), width: w, height: h), to: heatmaps.appendingPathComponent("\(n)_b.png"))
            let diff = centred ? SaliencyFigures.diverging(map(artifact.diff, n), width: w, height: h)
                : SaliencyFigures.heat(map(artifact.diff, n), width: w, height: h)
            try PNGCodec.write(diff, to: heatmaps.appendingPathComponent("\(n)_diff.png"))
        }
        for name in artifact.selection.classes {
            let members = artifact.selection.images.indices.filter { artifact.selection.images[$0].className == name }
            guard !members.isEmpty else { continue }
            let grid = SaliencyFigures.grid(inputs: members.map { inputs[$0] }, a: members.map { map(artifact.a, $0) },
                                            b: members.map { map(artifact.b, $0) }, diff: members.map { map(artifact.diff, $0) },
                                            centredDifference: centred)
            try PNGCodec.write(grid, to: out.appendingPathComponent(SaliencyArtifact.gridFile(for: name)))
        }
    }
}
