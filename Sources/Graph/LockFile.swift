import Foundation

/// `FILE.lock` beside an experiment file: every instance's key, key components, output digests and headline
/// metrics after the last run. Publish it with the experiment; a reader's `status` compares against it.
public struct LockFile: Codable, Sendable {
    public struct Entry: Codable, Sendable {
        public var key: String
        public var components: ParamValue
        public var provenance: Provenance
        /// Output digest by output name.
        public var outputs: [String: String]
        public var metrics: [String: Double]

        enum CodingKeys: String, CodingKey { case key, components, provenance, outputs, metrics }

        init(key: String, components: ParamValue, provenance: Provenance, outputs: [String: String], metrics: [String: Double]) {
            self.key = key
            self.components = components
            self.provenance = provenance
            self.outputs = outputs
            self.metrics = metrics
        }

        /// Decodes everything but `components`, which `LockFile.read` fills in with `JSONReader`.
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            key = try c.decode(String.self, forKey: .key)
            components = .null
            provenance = try c.decode(Provenance.self, forKey: .provenance)
            outputs = try c.decode([String: String].self, forKey: .outputs)
            metrics = try c.decode([String: Double].self, forKey: .metrics)
        }
    }

    public var palimpsest: Int
    public var experiment: String
    public var toolVersion: String
    /// The replicate seeds of `seeds:` (absent for a single-seed experiment).
    public var seeds: [UInt64]?
    /// Entries by instance id.
    public var instances: [String: Entry]

    public init(experiment: String, instances: [String: Entry] = [:]) {
        palimpsest = Experiment.schemaVersion
        self.experiment = experiment
        toolVersion = ToolVersion.string
        self.instances = instances
    }

    /// The lock file path for an experiment file: the same path with `.lock` appended.
    public static func url(for experimentFile: URL) -> URL {
        experimentFile.deletingLastPathComponent().appendingPathComponent(experimentFile.lastPathComponent + ".lock")
    }

    /// Reads a lock file; nil when absent. A lock file that does not parse is an error.
    public static func read(_ url: URL) throws(GraphError) -> LockFile? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        do {
            var lock = try JSONDecoder().decode(LockFile.self, from: data)
            let raw = try JSONReader.parse(data).mapValue?["instances"]?.mapValue ?? [:]
            for id in lock.instances.keys {
                lock.instances[id]?.components = raw[id]?.mapValue?["components"] ?? .null
            }
            return lock
        } catch {
            throw GraphError.io(path: url.path, reason: "not a Palimpsest lock file: \(GraphError.describe(error))")
        }
    }

    public func write(to url: URL) throws(GraphError) {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try e.encode(self) } catch { throw GraphError.io(path: url.path, reason: GraphError.describe(error)) }
        try FileSystem.writeAtomically(data + Data("\n".utf8), to: url)
    }

    /// Writes the lock file of `experiment` after a run: the entries of `manifests` (by instance id) over the
    /// previous lock's entries for instances that still exist.
    static func update(_ url: URL, experiment: Experiment, previous: LockFile?, manifests: [String: Manifest]) throws(GraphError) {
        var lock = LockFile(experiment: experiment.name)
        lock.seeds = experiment.replicateSeeds.isEmpty ? nil : experiment.replicateSeeds
        let ids = Set(experiment.instances.map(\.id))
        for (id, entry) in previous?.instances ?? [:] where ids.contains(id) { lock.instances[id] = entry }
        for (id, manifest) in manifests { lock.instances[id] = entry(manifest) }
        try lock.write(to: url)
    }

    static func entry(_ manifest: Manifest) -> Entry {
        Entry(key: manifest.key, components: manifest.components, provenance: manifest.provenance,
              outputs: manifest.outputs.mapValues(\.digest), metrics: manifest.metrics)
    }
}
