import Foundation

/// Validates the located YAML tree of an experiment and expands its nodes into instances.
///
/// The steps, each in its own type: the top-level keys (here), each node's own checks (`NodeDraftReader`, with
/// `MatrixReader`), references and `*` (`ReferenceResolver`), order and cycles (`DAG`), instances
/// (`InstanceExpander`). Every problem becomes a diagnostic; expansion only happens when the node-level checks passed.
struct ExperimentBuilder: SpecChecking {
    /// What a valid experiment file describes, before it is tied to a file and directory.
    struct Result {
        let name: String
        let seed: UInt64
        let replicateSeeds: [UInt64]
        let nodeIDs: [String]
        let nodeKinds: [String: KindRef]
        let nodeDependencies: [String: [String]]
        let nodeResources: [String: Resources]
        let instances: [Instance]
        let remotes: [String: String]
    }

    /// The top-level `resources:`: defaults for every node, and per kind under the kind's name.
    private struct ResourceDefaults {
        var all = Resources()
        var perKind: [String: Resources] = [:]
    }

    static let topLevelKeys = ["palimpsest", "name", "seed", "seeds", "resources", "remotes", "nodes"]

    let label: String
    let kinds: [String: KindRef]
    var diagnostics: [Diagnostic] = []

    private init(label: String, kinds: [KindRef]) {
        self.label = label
        for k in kinds {
            precondition(!k.type.outputs.isEmpty, "node kind \(k.name) declares no outputs")
            precondition(kinds.filter { $0.name == k.name }.count == 1, "node kind \(k.name) is registered twice")
        }
        self.kinds = Dictionary(kinds.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Builds the experiment in `root`.
    ///
    /// - Parameters:
    ///   - label: the file as the user named it (its last component is the default experiment name).
    ///   - kinds: the registered node kinds.
    /// - Throws: `GraphError.invalid` with every problem found, in file order.
    static func build(_ root: SpecNode, label: String, kinds: [KindRef]) throws(GraphError) -> Result {
        var builder = ExperimentBuilder(label: label, kinds: kinds)
        let result = builder.build(root)
        guard builder.diagnostics.isEmpty, let result else {
            throw .invalid(builder.diagnostics.sorted { ($0.location.file, $0.location.line, $0.location.column) < ($1.location.file, $1.location.line, $1.location.column) })
        }
        return result
    }

    private mutating func build(_ root: SpecNode) -> Result? {
        guard case .mapping(let top, let rootLocation) = root else {
            error(root.location, "expected a mapping with palimpsest, name, seed and nodes; found \(root.shape)")
            return nil
        }
        let sharedNames = Set(kinds.values.flatMap { $0.type.params.compactMap(\.shared) })
        var shared: [String: SpecNode] = [:]
        for pair in top where !Self.topLevelKeys.contains(pair.key) {
            if sharedNames.contains(pair.key) {
                shared[pair.key] = pair.value
            } else {
                let allowed = Self.topLevelKeys + sharedNames.sorted()
                error(pair.keyLocation, "unknown top-level key '\(pair.key)'\(Suggestion.hint(for: pair.key, among: allowed)); expected one of: \(allowed.joined(separator: ", "))")
            }
        }
        switch root.child("palimpsest") {
        case nil:
            error(rootLocation, "missing 'palimpsest: \(Experiment.schemaVersion)' (the schema version)")
        case .scalar(.int(Experiment.schemaVersion), _)?:
            break
        case let node?:
            error(node.location, "palimpsest: expected schema version \(Experiment.schemaVersion), found \(node.shape)")
        }
        var name = (label as NSString).lastPathComponent
        if let n = root.child("name") {
            if case .scalar(.string(let s), _) = n { name = s } else { error(n.location, "name: expected a string, found \(n.shape)") }
        }
        var replicateSeeds: [UInt64] = []
        if let s = root.child("seeds") { replicateSeeds = seedList(s) }
        if let s = root.child("seed"), root.child("seeds") != nil {
            error(s.location, "seed: set either 'seed: N' (one run) or 'seeds: [N, …]' (replicates), not both")
        }
        let seed = replicateSeeds.first ?? root.child("seed").flatMap { seedValue($0, path: "seed") } ?? 0
        let resourceDefaults = resourceDefaults(root.child("resources"))
        let remotes = remoteNames(root.child("remotes"))

        guard case .mapping(let nodePairs, _)? = root.child("nodes") else {
            if let n = root.child("nodes") { error(n.location, "nodes: expected a mapping of node id to node, found \(n.shape)") }
            else { error(rootLocation, "missing 'nodes:' (a mapping of node id to node)") }
            return nil
        }
        var drafts: [NodeDraft] = []
        var reader = NodeDraftReader(kinds: kinds, shared: shared)
        for pair in nodePairs {
            if !Experiment.isValidIdentifier(pair.key) || pair.key == "*" {
                reader.error(pair.keyLocation, "bad node id '\(pair.key)': expected letters, digits, '_' or '-', starting with a letter")
                continue
            }
            if let d = reader.read(id: pair.key, keyLocation: pair.keyLocation, node: pair.value) { drafts.append(d) }
        }
        diagnostics += reader.diagnostics
        if !replicateSeeds.isEmpty {
            for d in drafts where d.matrix.axes.contains(InstanceExpander.seedAxis) {
                error(d.location, "node '\(d.id)': matrix axis 'seed' is the replicate axis of 'seeds:'; set the node's 'seed:' or rename the axis")
            }
        }
        var resolver = ReferenceResolver()
        let graph = resolver.resolve(&drafts)
        diagnostics += resolver.diagnostics
        let order: [String]
        switch graph.order {
        case .sorted(let sorted): order = sorted
        case .cycle(let path): reportCycle(path, drafts: drafts); return nil
        }
        guard diagnostics.isEmpty else { return nil }
        var expander = InstanceExpander(defaultSeed: seed, replicateSeeds: replicateSeeds)
        let instances = expander.expand(drafts, order: order)
        diagnostics += expander.diagnostics
        guard diagnostics.isEmpty else { return nil }
        var kindsByNode: [String: KindRef] = [:]
        var resourcesByNode: [String: Resources] = [:]
        for d in drafts {
            kindsByNode[d.id] = d.kind
            let kindDefaults = d.kind.flatMap { resourceDefaults.perKind[$0.name] } ?? Resources()
            resourcesByNode[d.id] = d.resources.over(kindDefaults.over(resourceDefaults.all))
        }
        return Result(name: name, seed: seed, replicateSeeds: replicateSeeds, nodeIDs: graph.vertices, nodeKinds: kindsByNode,
                      nodeDependencies: graph.parents, nodeResources: resourcesByNode, instances: instances, remotes: remotes)
    }

    /// Reports a cycle (`path[0]` reads `path[1]`, …) at the reference that closes it.
    private mutating func reportCycle(_ path: [String], drafts: [NodeDraft]) {
        guard path.count >= 2, let reader = drafts.first(where: { $0.id == path[0] }) else { return }
        let location = reader.inputs.flatMap(\.refs).first { $0.node == path[1] }?.location ?? reader.location
        error(location, "cycle in the graph: \(path.reversed().joined(separator: " → ")) (each node reads the one before it)")
    }

    /// Reads `seeds: [7, 8, 9]`: distinct non-negative integers, at least one.
    private mutating func seedList(_ node: SpecNode) -> [UInt64] {
        guard case .sequence(let items, let location) = node else {
            error(node.location, "seeds: expected a list of non-negative integers (one replicate per seed), found \(node.shape)")
            return []
        }
        if items.isEmpty { error(location, "seeds: expected at least one seed") }
        var out: [UInt64] = []
        for item in items {
            guard let s = seedValue(item, path: "seeds") else { continue }
            if out.contains(s) { error(item.location, "seeds: \(s) appears twice") } else { out.append(s) }
        }
        return out
    }

    /// Reads `remotes: {name: location}` (where `push`/`pull`/`run --pull` find a remote by name); not part of any key.
    private mutating func remoteNames(_ node: SpecNode?) -> [String: String] {
        guard let node else { return [:] }
        guard case .mapping(let pairs, _) = node else {
            error(node.location, "remotes: expected a mapping of remote name to a directory or URL, found \(node.shape)")
            return [:]
        }
        var out: [String: String] = [:]
        for pair in pairs {
            if !Experiment.isValidIdentifier(pair.key) {
                error(pair.keyLocation, "remotes: bad name '\(pair.key)': expected letters, digits, '_' or '-', starting with a letter")
            } else if case .scalar(.string(let location), _) = pair.value, !location.isEmpty {
                out[pair.key] = location
            } else {
                error(pair.value.location, "remotes.\(pair.key): expected a directory, file://, http(s):// URL or .tar archive, found \(pair.value.shape)")
            }
        }
        return out
    }

    private mutating func resourceDefaults(_ node: SpecNode?) -> ResourceDefaults {
        guard let node else { return ResourceDefaults() }
        var out = ResourceDefaults(all: resources(node, path: "resources", skipping: kinds))
        if case .mapping(let pairs, _) = node {
            for pair in pairs where kinds[pair.key] != nil {
                out.perKind[pair.key] = resources(pair.value, path: "resources.\(pair.key)")
            }
        }
        return out
    }
}
