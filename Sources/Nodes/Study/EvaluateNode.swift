import Analysis
import Core
import Faces
import Foundation
import Graph

/// `evaluate`: a model on a dataset split — per-class precision, recall, F1 and support, macro averages, accuracy,
/// the confusion matrix, and every sample's prediction (what McNemar and saliency selection pair on).
public struct EvaluateNode: NodeKind {
    public static let kind = "evaluate"
    public static let version = 1
    public static let summary = "Per-class precision/recall/F1, accuracy, confusion matrix and per-sample predictions of a model on a split."
    public static let params: [ParamSpec] = [
        .string("split", default: Split.test.rawValue, allowed: Split.allCases.map(\.rawValue), doc: "Which split to evaluate on."),
        .int("batch_size", default: 64, range: 1...4096, doc: "Images per forward pass (does not change results)."),
    ]
    public static let inputs: [PortSpec] = [
        PortSpec("model", doc: "A trained model."),
        PortSpec("data", doc: "A dataset with the model's classes."),
    ]
    public static let outputs: [OutputSpec] = [OutputSpec("evaluation", doc: "metrics.json, confusion.csv, predictions.csv")]
    public static let usesSeed = false

    /// `metrics.json` (docs/artifacts.md §4).
    struct Metrics: Codable {
        struct PerClass: Codable {
            var `class`: String
            var precision: Double
            var recall: Double
            var f1: Double
            var support: Int
        }
        var split: String
        var samples: Int
        var classNames: [String]
        var perClass: [PerClass]
        var macro: ClassificationReport.Macro
        var accuracy: Double
        var confusion: [[Int]]
        enum CodingKeys: String, CodingKey {
            case split, samples, classNames = "class_names", perClass = "per_class", macro, accuracy, confusion
        }
    }

    /// The `split` param.
    enum Split: String, Decodable, CaseIterable {
        case test, validation, train
    }

    /// The checked params, decoded once.
    struct Params: Decodable { var split: Split, batchSize: Int }

    public static func run(_ context: NodeContext) throws {
        let p = try context.params.decode(Params.self)
        let input = try context.input("model"), data = try context.input("data")
        let artifact = try ModelArtifact.load(from: input.directory, instance: input.instance)
        let (dataset, root) = try DatasetArtifact.load(from: data.directory, instance: data.instance)
        let splits = try dataset.splits(root: root)
        let splitName = p.split.rawValue
        let split: FaceDataset
        switch p.split {
        case .train: split = splits.train
        case .validation: split = splits.validation
        case .test: split = splits.test
        }
        guard split.classNames == artifact.classNames else {
            throw NodeFailure("the model \(input.instance) predicts \(artifact.classNames) but \(data.instance) has classes \(split.classNames)")
        }
        guard !split.samples.isEmpty else { throw NodeFailure("the \(splitName) split of \(data.instance) is empty") }
        let images = try ImageSet(split.samples, pipeline: artifact.pipeline)
        let predicted = try images.predictions(of: artifact.model, batchSize: p.batchSize)
        let report = ClassificationReport(classNames: artifact.classNames, truth: images.labels, predicted: predicted)
        let metrics = Metrics(split: splitName, samples: images.count, classNames: artifact.classNames,
                              perClass: report.classes.map { .init(class: $0.name, precision: $0.precision, recall: $0.recall, f1: $0.f1, support: $0.support) },
                              macro: report.macro, accuracy: report.accuracy, confusion: report.confusion)
        let out = context.output()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(metrics).write(to: out.appendingPathComponent("metrics.json"))
        try Data(report.confusionCSV.utf8).write(to: out.appendingPathComponent("confusion.csv"))
        var csv = "id,label,predicted,correct\n"
        for (i, sample) in split.samples.enumerated() {
            let truth = artifact.classNames[sample.label], guess = artifact.classNames[predicted[i]]
            csv += [sample.key, truth, guess].map(CSV.field).joined(separator: ",") + ",\(sample.label == predicted[i] ? 1 : 0)\n"
        }
        try Data(csv.utf8).write(to: out.appendingPathComponent("predictions.csv"))
        context.metric("accuracy", report.accuracy)
        context.metric("macro_f1", report.macro.f1)
        for c in report.classes { context.metric("recall_" + c.name.replacingOccurrences(of: " ", with: "_"), c.recall) }
        context.log(String(format: "%@ of %@ on %d %@ images: accuracy %.4f, macro F1 %.4f", input.instance, data.instance,
                           images.count, splitName, report.accuracy, report.macro.f1))
    }
}

/// RFC 4180 fields: quoted when they hold a comma, quote or line break.
enum CSV {
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension CSV {
    /// The fields of one RFC 4180 line (quoted fields may hold commas and doubled quotes).
    static func fields(_ line: Substring) -> [String] {
        var fields: [String] = [], current = "", quoted = false
        var chars = line.makeIterator()
        while let c = chars.next() {
            if quoted {
                if c == "\"" {
                    if let n = chars.next() {
                        if n == "\"" { current.append("\"") } else { quoted = false; if n == "," { fields.append(current); current = "" } else { current.append(n) } }
                    } else { quoted = false }
                } else { current.append(c) }
            } else if c == "\"" { quoted = true } else if c == "," { fields.append(current); current = "" } else { current.append(c) }
        }
        fields.append(current)
        return fields
    }
}
