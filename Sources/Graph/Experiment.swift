import Foundation

/// A validated experiment: its nodes expanded into instances in dependency order.
///
/// Built by `Experiment.load`, which reports every problem it finds as a `Diagnostic` with `file:line:col`
/// and throws `GraphError.invalid` before anything runs.
public struct Experiment: Sendable {
    /// The schema version this code reads (`palimpsest: 1`).
    public static let schemaVersion = 1

    /// The experiment file (absolute); nil for experiments parsed from text.
    public let file: URL?
    /// The directory relative `path` params resolve against.
    public let directory: URL
    public let name: String
    /// The seed of seeded instances without a replicate coordinate or a `seed:` of their own (the first of `seeds:`).
    public let seed: UInt64
    /// The replicate seeds of `seeds: [...]`, empty for a single-seed experiment; each seeded instance exists once
    /// per seed, with a `seed` coordinate.
    public let replicateSeeds: [UInt64]
    /// Node ids in file order.
    public let nodeIDs: [String]
    /// Kind of each node.
    public let nodeKinds: [String: KindRef]
    /// Nodes each node reads from (node level, for `dag`).
    public let nodeDependencies: [String: [String]]
    /// What each node asks a batch scheduler for (node, kind and file defaults merged); not part of keys.
    public let nodeResources: [String: Resources]
    /// All instances in a topological order (upstream before downstream, file order otherwise).
    public let instances: [Instance]
    /// Named remotes of `remotes:` (name → directory or URL as written); not part of any key.
    public let remotes: [String: String]

    /// Indices of the instances of `node`, in coordinate order.
    public func instances(of node: String) -> [Int] {
        instances.indices.filter { instances[$0].node == node }
    }

    /// Indices of downstream instances for each instance.
    public var dependents: [[Int]] {
        var out = [[Int]](repeating: [], count: instances.count)
        for inst in instances { for d in inst.dependencies { out[d].append(inst.index) } }
        return out
    }

    /// Loads and validates an experiment file.
    ///
    /// - Parameters:
    ///   - file: the YAML file.
    ///   - kinds: the registered node kinds (`NodeRegistry.all`).
    ///   - overrides: `--set` arguments, applied before validation.
    public static func load(file: URL, kinds: [KindRef], overrides: [String] = []) throws(GraphError) -> Experiment {
        var info = stat()
        if stat(file.path, &info) == 0, info.st_size > YAMLBounds.maxBytes {
            throw GraphError.usage("experiment file \(file.path) is \(info.st_size) bytes; the limit is \(YAMLBounds.maxBytes)")
        }
        let text: String
        do { text = try String(contentsOf: file, encoding: .utf8) } catch {
            throw GraphError.io(path: file.path, reason: "cannot read the experiment file: \(GraphError.reason(for: error))")
        }
        let label = displayPath(file)
        return try parse(text, label: label, file: file.standardizedFileURL, directory: file.deletingLastPathComponent().standardizedFileURL,
                         kinds: kinds, overrides: overrides)
    }

    /// Validates experiment YAML text; `label` names it in diagnostics.
    public static func parse(_ text: String, label: String, file: URL? = nil, directory: URL, kinds: [KindRef],
                             overrides: [String] = []) throws(GraphError) -> Experiment {
        var parsedOverrides: [Override] = []
        for o in overrides { parsedOverrides.append(try Override.parse(o)) }
        guard var root = try SpecNode.parse(text, file: label) else {
            throw GraphError.invalid([Diagnostic(SourceLocation(file: label, line: 1, column: 1), "the experiment file is empty")])
        }
        root = try Override.apply(parsedOverrides, to: root)
        let result = try ExperimentBuilder.build(root, label: label, kinds: kinds)
        return Experiment(file: file, directory: directory, name: result.name, seed: result.seed,
                          replicateSeeds: result.replicateSeeds, nodeIDs: result.nodeIDs,
                          nodeKinds: result.nodeKinds, nodeDependencies: result.nodeDependencies,
                          nodeResources: result.nodeResources, instances: result.instances, remotes: result.remotes)
    }

    /// Node ids, ports, outputs and axes are snake_case-ish: letters, digits, `_` and `-`, starting with a letter.
    static func isValidIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, CharacterSet.letters.contains(first) || first == "_" else { return false }
        return s.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-" }
    }

    /// The path as the user would like to read it: relative to the current directory when inside it.
    static func displayPath(_ file: URL) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        let path = file.standardizedFileURL.path
        return path.hasPrefix(cwd + "/") ? String(path.dropFirst(cwd.count + 1)) : path
    }
}
