import Analysis
import Foundation
import Graph

/// `significance_test`: McNemar's test on two `evaluate` outputs (paired per-sample correctness, overall and per
/// class) or a paired t-test on two score tables (`scores.csv` with `id,score`, e.g. `svm_probe` outputs).
public struct SignificanceTestNode: NodeKind {
    public static let kind = "significance_test"
    public static let version = 1
    public static let summary = "McNemar on two evaluations (per class and overall) or a paired t-test on two score tables."
    public static let params: [ParamSpec] = [
        .string("test", allowed: ["mcnemar", "paired_t"], doc: "mcnemar (inputs: evaluate outputs) or paired_t (inputs: tables with id,score)."),
        .string("per", default: "class", allowed: ["class", "overall"], doc: "mcnemar: also per true class (class) or overall only."),
    ]
    public static let inputs: [PortSpec] = [
        PortSpec("a", doc: "The first model's evaluation (or scores): b counts A right and B wrong."),
        PortSpec("b", doc: "The second, on the same samples (or repeats)."),
    ]
    public static let outputs: [OutputSpec] = [OutputSpec("result", doc: "result.json and result.csv")]
    public static let usesSeed = false

    /// One row of `predictions.csv`.
    struct Prediction {
        var label: String
        var correct: Bool
    }

    public static func run(_ context: NodeContext) throws {
        let a = try context.input("a"), b = try context.input("b")
        let out = context.output()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        if try context.params.string("test") == "paired_t" {
            let sa = try IdentifiedValues.readCSV(at: try file(a, "scores.csv"), column: "score")
            let sb = try IdentifiedValues.readCSV(at: try file(b, "scores.csv"), column: "score")
            let paired = try IdentifiedValues.pair(sa, sb)
            let r = try PairedTTestResult(a: paired.a, b: paired.b)
            let result = PairedT(test: "paired_t", a: a.instance, b: b.instance, n: r.n, meanA: mean(paired.a), meanB: mean(paired.b),
                                 meanDifference: r.meanDifference, t: r.t, df: r.df, p: r.p, cohensD: r.cohensD)
            try encoder.encode(result).write(to: out.appendingPathComponent("result.json"))
            try Data("n,mean_a,mean_b,mean_difference,t,df,p,cohens_d\n\(r.n),\(result.meanA),\(result.meanB),\(r.meanDifference),\(r.t),\(r.df),\(r.p),\(r.cohensD)\n".utf8)
                .write(to: out.appendingPathComponent("result.csv"))
            context.metric("t", r.t)
            context.metric("p", r.p)
            context.metric("mean_difference", r.meanDifference)
            context.log(String(format: "%@ vs %@: n %d, mean difference %.4f, t %.3f, df %d, p %.3g, d %.3f", a.instance, b.instance,
                               r.n, r.meanDifference, r.t, r.df, r.p, r.cohensD))
            return
        }
        let pa = try predictions(a), pb = try predictions(b)
        let onlyA = pa.keys.filter { pb[$0] == nil }.sorted(), onlyB = pb.keys.filter { pa[$0] == nil }.sorted()
        guard onlyA.isEmpty, onlyB.isEmpty else {
            throw NodeFailure("\(a.instance) and \(b.instance) were evaluated on different samples: \(onlyA.count) only in a (e.g. \(onlyA.prefix(3).joined(separator: ", "))), "
                + "\(onlyB.count) only in b (e.g. \(onlyB.prefix(3).joined(separator: ", ")))")
        }
        let ids = pa.keys.sorted()
        if let bad = ids.first(where: { pa[$0]!.label != pb[$0]!.label }) {
            throw NodeFailure("sample \(bad) has label '\(pa[bad]!.label)' in \(a.instance) but '\(pb[bad]!.label)' in \(b.instance)")
        }
        let overall = try row(ids, pa, pb, className: nil)
        var perClass: [McNemarRow] = []
        if try context.params.string("per") == "class" {
            let classes = try classNames(a)
            for name in classes {
                let members = ids.filter { pa[$0]!.label == name }
                if !members.isEmpty { perClass.append(try row(members, pa, pb, className: name)) }
            }
        }
        let result = McNemarReport(test: "mcnemar", a: a.instance, b: b.instance, overall: overall, perClass: perClass.isEmpty ? nil : perClass)
        try encoder.encode(result).write(to: out.appendingPathComponent("result.json"))
        var csv = "class,n,b,c,p_exact,chi2,p_chi2,accuracy_a,accuracy_b\n"
        for r in [overall] + perClass {
            csv += "\(CSV.field(r.class ?? "overall")),\(r.n),\(r.b),\(r.c),\(r.pExact),\(r.chi2),\(r.pChi2),\(r.accuracyA),\(r.accuracyB)\n"
        }
        try Data(csv.utf8).write(to: out.appendingPathComponent("result.csv"))
        context.metric("b", Double(overall.b))
        context.metric("c", Double(overall.c))
        context.metric("p_exact", overall.pExact)
        for r in perClass { context.metric("p_exact_" + (r.class ?? "").replacingOccurrences(of: " ", with: "_"), r.pExact) }
    }

    /// McNemar counts and p-values for the samples `ids` (`accuracy_*` is the recall when restricted to one class).
    static func row(_ ids: [String], _ pa: [String: Prediction], _ pb: [String: Prediction], className: String?) throws -> McNemarRow {
        let ca = ids.map { pa[$0]!.correct }, cb = ids.map { pb[$0]!.correct }
        let m = try McNemarResult(correctA: ca, correctB: cb)
        let n = Double(ids.count)
        return McNemarRow(class: className, n: ids.count, b: m.b, c: m.c, pExact: m.pExact, chi2: m.chi2, pChi2: m.pChi2,
                          accuracyA: Double(ca.filter { $0 }.count) / n, accuracyB: Double(cb.filter { $0 }.count) / n)
    }

    static func file(_ input: InputArtifact, _ name: String) throws -> URL {
        let url = input.directory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw NodeFailure("input \(input.instance) (\(input.kind)) has no \(name); expected \(name == "scores.csv" ? "an svm_probe output or a table with id,score" : "an evaluate output")")
        }
        return url
    }

    /// `predictions.csv` of an evaluate output, by sample id.
    static func predictions(_ input: InputArtifact) throws -> [String: Prediction] {
        let url = try file(input, "predictions.csv")
        let lines = try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline)
        guard let header = lines.first, CSV.fields(header) == ["id", "label", "predicted", "correct"] else {
            throw NodeFailure("\(url.path):1: expected the header id,label,predicted,correct")
        }
        var out: [String: Prediction] = [:]
        for (n, line) in lines.dropFirst().enumerated() {
            let f = CSV.fields(line)
            guard f.count == 4, f[3] == "0" || f[3] == "1" else { throw NodeFailure("\(url.path):\(n + 2): expected id,label,predicted,correct with correct 0 or 1") }
            guard out[f[0]] == nil else { throw NodeFailure("\(url.path):\(n + 2): sample \(f[0]) appears twice") }
            out[f[0]] = Prediction(label: f[1], correct: f[3] == "1")
        }
        return out
    }

    /// Class names in the evaluation's order (from `metrics.json`).
    static func classNames(_ input: InputArtifact) throws -> [String] {
        struct Names: Decodable { var classNames: [String]; enum CodingKeys: String, CodingKey { case classNames = "class_names" } }
        let url = try file(input, "metrics.json")
        return try JSONDecoder().decode(Names.self, from: Data(contentsOf: url)).classNames
    }

    static func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(max(x.count, 1)) }

    struct McNemarRow: Codable {
        var `class`: String?
        var n: Int
        var b: Int
        var c: Int
        var pExact: Double
        var chi2: Double
        var pChi2: Double
        var accuracyA: Double
        var accuracyB: Double
        enum CodingKeys: String, CodingKey {
            case `class`, n, b, c, pExact = "p_exact", chi2, pChi2 = "p_chi2", accuracyA = "accuracy_a", accuracyB = "accuracy_b"
        }
    }

    struct McNemarReport: Codable {
        var test: String
        var a: String
        var b: String
        var overall: McNemarRow
        var perClass: [McNemarRow]?
        enum CodingKeys: String, CodingKey { case test, a, b, overall, perClass = "per_class" }
    }

    struct PairedT: Codable {
        var test: String
        var a: String
        var b: String
        var n: Int
        var meanA: Double
        var meanB: Double
        var meanDifference: Double
        var t: Double
        var df: Int
        var p: Double
        var cohensD: Double
        enum CodingKeys: String, CodingKey {
            case test, a, b, n, meanA = "mean_a", meanB = "mean_b", meanDifference = "mean_difference", t, df, p, cohensD = "cohens_d"
        }
    }
}
