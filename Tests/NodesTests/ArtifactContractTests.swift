import Core
import Foundation
import Testing
@testable import Graph
@testable import Nodes

/// The machine-read tables of docs/artifacts.md: per table name (`fields: dataset.json`, `columns: ranking.csv`,
/// `tensors: maps.safetensors`, `files: evaluation`) its rows' names and whether each is always present.
struct ArtifactContract {
    struct Row: Equatable {
        var name: String
        var always: Bool
    }

    var tables: [String: [Row]] = [:]

    static let url = StudyNodesTests.repository.appendingPathComponent("docs/artifacts.md")

    /// Parses every `<!-- KIND: NAME -->` comment and the table below it (first column: the name in backticks;
    /// a `Present` column, when there is one, says `always` or when).
    static func load() throws -> ArtifactContract {
        let lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
        var contract = ArtifactContract()
        var i = 0
        while i < lines.count {
            let line = lines[i].trimmingCharacters(in: .whitespaces)
            i += 1
            guard line.hasPrefix("<!-- "), line.hasSuffix(" -->") else { continue }
            let name = String(line.dropFirst(5).dropLast(4))
            while i < lines.count, lines[i].trimmingCharacters(in: .whitespaces).isEmpty { i += 1 }
            var table: [[String]] = []
            while i < lines.count, lines[i].hasPrefix("|") {
                table.append(lines[i].split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                    .map { $0.trimmingCharacters(in: .whitespaces) })
                i += 1
            }
            guard table.count > 2, contract.tables[name] == nil else { throw NodeFailure("docs/artifacts.md: table '\(name)' is missing or repeated") }
            let present = table[0].firstIndex(of: "Present")
            contract.tables[name] = try table.dropFirst(2).map { (cells: [String]) throws -> Row in
                let cell = cells[0]
                guard cell.count > 2, cell.hasPrefix("`"), cell.hasSuffix("`") else {
                    throw NodeFailure("docs/artifacts.md: table '\(name)': first cell '\(cell)' is not a name in backticks")
                }
                return Row(name: String(cell.dropFirst().dropLast()), always: present.map { cells[$0] == "always" } ?? true)
            }
        }
        return contract
    }

    func rows(_ table: String) -> [Row] {
        guard let rows = tables[table] else { Issue.record("docs/artifacts.md has no table '\(table)'"); return [] }
        return rows
    }
}

/// Checks produced files against the contract and remembers which documented rows were seen.
final class ContractChecker {
    let contract: ArtifactContract
    /// Documented rows seen in some produced file, per table.
    var observed: [String: Set<String>] = [:]
    var problems: [String] = []

    init(_ contract: ArtifactContract) { self.contract = contract }

    /// A JSON file (or a JSON value inside one, checked as if it stood at `path` of the table).
    func json(_ table: String, _ url: URL) throws {
        json(table, try JSONSerialization.jsonObject(with: Data(contentsOf: url), options: [.fragmentsAllowed]), at: "", file: url.path)
    }

    /// `value` against the rows of `table` below `path` (`a.b` keys, `a[]` list elements, `a{}` data-keyed values).
    func json(_ table: String, _ value: Any, at path: String, file: String) {
        let rows = contract.rows("fields: " + table)
        if rows.contains(where: { $0.name == path }) { observed["fields: " + table, default: []].insert(path) }
        let mapPath = path + "{}", listPath = path + "[]"
        let children = rows.filter { row in
            let rest: Substring
            if path.isEmpty { rest = Substring(row.name) } else if row.name.hasPrefix(path + ".") { rest = row.name.dropFirst(path.count + 1) } else { return false }
            return !rest.isEmpty && !rest.contains { character in ".[{".contains(character) }
        }
        func child(_ key: String) -> String { path.isEmpty ? key : path + "." + key }
        if let object = value as? [String: Any] {
            if rows.contains(where: { $0.name.hasPrefix(mapPath) }) {
                for v in object.values { json(table, v, at: mapPath, file: file) }
            } else if !children.isEmpty {
                let documented = Set(children.map { String($0.name.dropFirst(path.isEmpty ? 0 : path.count + 1)) })
                for key in object.keys.sorted() where !documented.contains(key) {
                    problems.append("\(file): \(child(key)) is not documented in docs/artifacts.md (\(table))")
                }
                for row in children where row.always {
                    let key = String(row.name.dropFirst(path.isEmpty ? 0 : path.count + 1))
                    if object[key] == nil { problems.append("\(file): \(row.name), documented as always present, is missing (\(table))") }
                }
                for (key, v) in object where documented.contains(key) { json(table, v, at: child(key), file: file) }
            }
        } else if let list = value as? [Any], rows.contains(where: { $0.name.hasPrefix(listPath) }) {
            for element in list { json(table, element, at: listPath, file: file) }
        }
    }

    /// Keys of a flat string map (safetensors metadata), names compared literally.
    func keys(_ table: String, _ keys: [String], file: String) {
        let rows = contract.rows("fields: " + table)
        for key in keys.sorted() where !rows.contains(where: { $0.name == key }) {
            problems.append("\(file): \(key) is not documented in docs/artifacts.md (\(table))")
        }
        for row in rows where row.always && !keys.contains(row.name) {
            problems.append("\(file): \(row.name), documented as always present, is missing (\(table))")
        }
        observed["fields: " + table, default: []].formUnion(keys)
    }

    /// A CSV file's header: exactly the documented columns, in order.
    func columns(_ table: String, _ url: URL) throws {
        let header = try String(contentsOf: url, encoding: .utf8).prefix(while: { $0 != "\n" }).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let documented = contract.rows("columns: " + table).map(\.name)
        if header != documented { problems.append("\(url.path): header \(header), docs/artifacts.md (\(table)) lists \(documented)") }
        observed["columns: " + table, default: []].formUnion(header)
    }

    /// Names (files of a directory, tensors of a file) against documented patterns, `<x>` standing for `any`.
    func names(_ table: String, _ names: [String], any: String, file: String) throws {
        let rows = contract.rows(table)
        let patterns = try rows.map { row -> NSRegularExpression in
            let parts = row.name.components(separatedBy: "<").enumerated().map { i, part -> String in
                guard i > 0, let close = part.firstIndex(of: ">") else { return NSRegularExpression.escapedPattern(for: part) }
                return any + NSRegularExpression.escapedPattern(for: String(part[part.index(after: close)...]))
            }
            return try NSRegularExpression(pattern: "^" + parts.joined() + "$")
        }
        func matches(_ p: NSRegularExpression, _ s: String) -> Bool { p.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil }
        for name in names.sorted() {
            guard let r = rows.indices.first(where: { matches(patterns[$0], name) }) else {
                problems.append("\(file): \(name) is not documented in docs/artifacts.md (\(table))")
                continue
            }
            observed[table, default: []].insert(rows[r].name)
        }
        for (row, pattern) in zip(rows, patterns) where row.always && !names.contains(where: { matches(pattern, $0) }) {
            problems.append("\(file): no \(row.name), documented as always present (\(table))")
        }
    }

    /// The files of an output directory (paths relative to it).
    func files(_ table: String, _ directory: URL) throws {
        let found = try FileManager.default.subpathsOfDirectory(atPath: directory.path).filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: directory.appendingPathComponent(path).path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
        try names("files: " + table, found, any: ".+", file: directory.path)
    }

    /// A safetensors file's tensor names, and its metadata against `metadata` (nil: the file must have none).
    func safetensors(_ table: String, _ url: URL, metadata: String?) throws -> SafetensorsFile {
        let file = try SafetensorsFile(contentsOf: url)
        try names("tensors: " + table, file.names, any: "[A-Za-z0-9_]+", file: url.path)
        if let metadata { keys(metadata, Array(file.metadata.keys), file: url.path) } else if !file.metadata.isEmpty {
            problems.append("\(url.path): metadata \(file.metadata.keys.sorted()), docs/artifacts.md (\(table)) says it has none")
        }
        return file
    }
}

/// docs/artifacts.md against what the real kinds write: two small pipelines (one seed; two seeds) whose every output
/// kind is checked file by file, key by key, column by column, tensor by tensor, plus the manifests and lock files.
@Suite struct ArtifactContractTests {
    /// One seed: data of every layout, a short real training, models that always predict one class (so McNemar,
    /// saliency and candidates have images), probes, their tests and the report.
    static let single = """
    palimpsest: 1
    name: contract
    seed: 7
    model: {input: 32, channels: 3, width: 0.0625, head: [16], dropout: 0}
    nodes:
      emotions:   {kind: synth_faces, params: {like: affectnet, images: 64, test_per_class: 3, identities: 16, size: 32}}
      pain_data:  {kind: synth_faces, params: {like: unbc, participants: 8, sequences: 3, sequence_frames: 24, size: 32,
                                               test_participants: [001-sf001, 002-sf002], frames: 120, validation_frames: 24}}
      au_data:    {kind: synth_faces, params: {like: ckplus, subjects: 30, size: 32}}
      base:       {kind: train_base, inputs: {data: emotions}, params: {epochs: 2, batch_size: 16, patience: 1}}
      right:      {kind: test_model, params: {init: 3, favour: 1}}
      wrong:      {kind: test_model, params: {init: 4, favour: 0}}
      frozen:     {kind: freeze, inputs: {model: right}, matrix: {blocks: [0, 2]}}
      recall:     {kind: evaluate, inputs: {model: frozen, data: emotions}}
      wrong_eval: {kind: evaluate, inputs: {model: wrong, data: emotions}}
      mcnemar:    {kind: significance_test, params: {test: mcnemar, per: class}, inputs: {a: "recall[blocks=2]", b: wrong_eval}}
      saliency:   {kind: diff_saliency, inputs: {a: right, b: wrong, data: emotions}, params: {per_class: 2, difference: raw_maps, start: softmax_gradient}}
      candidates: {kind: concept_candidates, inputs: {saliency: saliency}}
      probe_a:    {kind: svm_probe, inputs: {model: right, data: au_data}, params: {concept: AU5, repeats: 3, permutations: 3, permutation_repeats: 2}}
      probe_b:    {kind: svm_probe, inputs: {model: wrong, data: au_data}, params: {concept: AU5, repeats: 3, permutations: 3, permutation_repeats: 2}}
      probe_test: {kind: significance_test, params: {test: paired_t}, inputs: {a: probe_a, b: probe_b}}
      report:     {kind: report, inputs: {all: "*"}}
    """

    /// Two seeds: McNemar on hand-built evaluations (B errs on the first `seed` samples) and the paired t of two
    /// probes per seed, each gathered across seeds.
    static let replicated = """
    palimpsest: 1
    name: contract_seeds
    seeds: [1, 2]
    nodes:
      a: {kind: shell, params: {cmd: "echo '{\\"class_names\\": [\\"x\\", \\"y\\"]}' > $PALIMPSEST_OUTPUT/metrics.json; echo id,label,predicted,correct > $PALIMPSEST_OUTPUT/predictions.csv; for i in 1 2 3 4 5 6; do l=x; [ $i -gt 3 ] && l=y; echo s$i,$l,$l,1 >> $PALIMPSEST_OUTPUT/predictions.csv; done"}}
      b: {kind: shell, params: {cmd: "echo '{\\"class_names\\": [\\"x\\", \\"y\\"]}' > $PALIMPSEST_OUTPUT/metrics.json; echo id,label,predicted,correct > $PALIMPSEST_OUTPUT/predictions.csv; for i in 1 2 3 4 5 6; do l=x; [ $i -gt 3 ] && l=y; c=1; [ $i -le $PALIMPSEST_SEED ] && c=0; echo s$i,$l,$l,$c >> $PALIMPSEST_OUTPUT/predictions.csv; done"}}
      mcnemar: {kind: significance_test, params: {test: mcnemar, per: class}, inputs: {a: "a[seed=*]", b: "b[seed=*]"}}
      faces: {kind: probe_faces, params: {mode: separable, subjects: 24}}
      m1: {kind: test_model, params: {init: 1, size: 32, channels: 1, class_names: [p, q]}}
      m2: {kind: test_model, params: {init: 2, size: 32, channels: 1, class_names: [p, q]}}
      pa: {kind: svm_probe, inputs: {model: m1, data: faces}, params: {concept: AU5, repeats: 3, permutations: 3, permutation_repeats: 2}}
      pb: {kind: svm_probe, inputs: {model: m2, data: faces}, params: {concept: AU5, repeats: 3, permutations: 3, permutation_repeats: 2}}
      probes: {kind: significance_test, params: {test: paired_t}, inputs: {a: "pa[seed=*]", b: "pb[seed=*]"}}
    """

    static let kinds = [KindRef(TestModelNode.self), KindRef(ProbeFacesNode.self)]

    /// Runs a project with its lock file written.
    static func run(_ p: ForgettingProject) throws {
        let e = try Experiment.load(file: p.file, kinds: p.kinds)
        let summary = try Executor(experiment: e, store: try CacheStore(root: p.cache)).run(RunOptions())
        expectSuccess(summary)
    }

    @Test func everyOutputHasExactlyTheDocumentedFieldsColumnsTensorsAndFiles() throws {
        let contract = try ArtifactContract.load()
        let check = ContractChecker(contract)
        let one = try ForgettingProject(Self.single, extraKinds: Self.kinds)
        try Self.run(one)
        let seeds = try ForgettingProject(Self.replicated, extraKinds: Self.kinds)
        try Self.run(seeds)
        func out(_ p: ForgettingProject, _ id: String, _ output: String) throws -> URL { try p.outputDirectory(id, output) }

        // §1 dataset
        for id in ["emotions", "pain_data", "au_data"] {
            let dir = try out(one, id, "dataset")
            try check.files("dataset", dir)
            try check.json("dataset.json", dir.appendingPathComponent("dataset.json"))
        }
        // §2 model (trained, frozen) and §3 history
        for (id, output) in [("base", "model"), ("frozen[blocks=2]", "model")] {
            let dir = try out(one, id, output)
            try check.files("model", dir)
            try check.json("model.json", dir.appendingPathComponent("model.json"))
            let weights = try check.safetensors("weights.safetensors", dir.appendingPathComponent("weights.safetensors"),
                                                metadata: "weights.safetensors __metadata__")
            let configuration = try #require(weights.metadata[VGG16.configurationMetadataKey])
            check.json("palimpsest.vgg16", try JSONSerialization.jsonObject(with: Data(configuration.utf8)), at: "", file: "\(dir.path) metadata")
        }
        let history = try out(one, "base", "history")
        try check.files("history", history)
        try check.json("history.json", history.appendingPathComponent("history.json"))
        // §4 evaluation
        for id in ["recall[blocks=2]", "wrong_eval"] {
            let dir = try out(one, id, "evaluation")
            try check.files("evaluation", dir)
            try check.json("metrics.json", dir.appendingPathComponent("metrics.json"))
            try check.columns("predictions.csv", dir.appendingPathComponent("predictions.csv"))
        }
        // §5 significance: the four shapes
        let mcnemar = try out(one, "mcnemar", "result"), pairedT = try out(one, "probe_test", "result")
        let mcnemarSeeds = try out(seeds, "mcnemar", "result"), pairedTSeeds = try out(seeds, "probes", "result")
        for dir in [mcnemar, pairedT, mcnemarSeeds, pairedTSeeds] { try check.files("result", dir) }
        try check.json("result.json mcnemar", mcnemar.appendingPathComponent("result.json"))
        try check.columns("result.csv mcnemar", mcnemar.appendingPathComponent("result.csv"))
        try check.json("result.json paired_t", pairedT.appendingPathComponent("result.json"))
        try check.columns("result.csv paired_t", pairedT.appendingPathComponent("result.csv"))
        try check.columns("result.csv mcnemar across seeds", mcnemarSeeds.appendingPathComponent("result.csv"))
        try check.columns("result.csv paired_t across seeds", pairedTSeeds.appendingPathComponent("result.csv"))
        // Across seeds, the McNemar rows and the paired t over seeds have the shapes their own tables document.
        let across = mcnemarSeeds.appendingPathComponent("result.json")
        try check.json("result.json mcnemar across seeds", across)
        let replicatedMcNemar = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: across)) as? [String: Any])
        for seed in replicatedMcNemar["per_seed"] as? [[String: Any]] ?? [] {
            check.json("result.json mcnemar", seed["overall"] as Any, at: "overall", file: across.path)
            for row in seed["per_class"] as? [Any] ?? [] { check.json("result.json mcnemar", row, at: "per_class[]", file: across.path) }
        }
        let acrossSeeds = replicatedMcNemar["across_seeds"] as? [String: Any] ?? [:]
        for row in [acrossSeeds["overall"] as Any] + (acrossSeeds["per_class"] as? [Any] ?? []) {
            let row = row as? [String: Any] ?? [:]
            check.json("paired t over seeds", row["across_seeds"] as Any, at: "", file: across.path)
            check.json("result.json mcnemar", row["pooled"] as Any, at: row["class"] == nil ? "overall" : "per_class[]", file: across.path)
        }
        let probesAcross = pairedTSeeds.appendingPathComponent("result.json")
        try check.json("result.json paired_t across seeds", probesAcross)
        let replicatedT = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: probesAcross)) as? [String: Any])
        check.json("paired t over seeds", replicatedT["across_seeds"] as Any, at: "", file: probesAcross.path)
        for seed in replicatedT["per_seed"] as? [[String: Any]] ?? [] {
            check.json("result.json paired_t", seed["corrected"] as Any, at: "corrected", file: probesAcross.path)
        }
        // §6 probes
        for (p, id) in [(one, "probe_a"), (one, "probe_b"), (seeds, "pa[seed=1]")] {
            let dir = try out(p, id, "probe")
            try check.files("probe", dir)
            try check.columns("scores.csv", dir.appendingPathComponent("scores.csv"))
            try check.columns("folds.csv", dir.appendingPathComponent("folds.csv"))
            try check.json("summary.json", dir.appendingPathComponent("summary.json"))
        }
        // §7 saliency, §8 candidates, §9 report
        let saliency = try out(one, "saliency", "saliency")
        try check.files("saliency", saliency)
        try check.json("selection.json", saliency.appendingPathComponent("selection.json"))
        _ = try check.safetensors("maps.safetensors", saliency.appendingPathComponent("maps.safetensors"), metadata: nil)
        let candidates = try out(one, "candidates", "candidates")
        try check.files("candidates", candidates)
        try check.json("ranking.json", candidates.appendingPathComponent("ranking.json"))
        try check.columns("ranking.csv", candidates.appendingPathComponent("ranking.csv"))
        try check.files("report", try out(one, "report", "report"))
        // §10 every manifest of both caches, §11 both lock files
        for p in [one, seeds] {
            let objects = p.cache.appendingPathComponent("objects")
            for shard in try FileManager.default.contentsOfDirectory(atPath: objects.path) {
                for key in try FileManager.default.contentsOfDirectory(atPath: objects.appendingPathComponent(shard).path) {
                    try check.json("manifest.json", objects.appendingPathComponent("\(shard)/\(key)/manifest.json"))
                }
            }
            try check.json("FILE.lock", LockFile.url(for: p.file))
        }

        #expect(check.problems.isEmpty, "\(check.problems.joined(separator: "\n"))")
        // Every documented row appears in some file: the document lists nothing the code no longer writes.
        for (table, rows) in contract.tables.sorted(by: { $0.key < $1.key }) {
            for row in rows where !(check.observed[table]?.contains(row.name) ?? false) {
                Issue.record("docs/artifacts.md (\(table)): \(row.name) was not found in any output the test produced")
            }
        }
    }

    @Test func theCheckerFlagsAnUndocumentedAndAMissingField() throws {
        let check = ContractChecker(try ArtifactContract.load())
        let epoch: [String: Any] = ["epoch": 1, "train_loss": 0.5, "train_accuracy": 0.5, "validation_loss": 0.5, "seconds": 2]
        let history: [String: Any] = ["epochs": [epoch], "best_epoch": 1]
        check.json("history.json", history, at: "", file: "history.json")
        #expect(check.problems.count == 3, "\(check.problems)")
        #expect(check.problems.contains { $0.contains("epochs[].seconds is not documented") })
        #expect(check.problems.contains { $0.contains("epochs[].validation_accuracy, documented as always present, is missing") })
        #expect(check.problems.contains { $0.contains("stopped_early, documented as always present, is missing") })
    }
}
