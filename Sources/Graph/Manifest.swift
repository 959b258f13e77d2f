import Foundation

/// One output directory of an entry: its tree digest and files.
public struct OutputRecord: Codable, Sendable {
    /// `tree:<sha256>` over relative paths, sizes and file digests (what downstream keys use).
    public let digest: String
    public let files: [FileRecord]
}

/// Where an instance's key components came from: names and paths that are deliberately *not* hashed
/// (renaming a node or moving a dataset keeps the key) but let `status` explain what changed.
public struct Provenance: Codable, Sendable, Equatable {
    /// Instance id when the entry was made.
    public var instance: String
    /// Upstream instance ids per input port, parallel to `components.inputs`.
    public var inputs: [String: [String]]
    /// External path params as written (`params.root` → `/data/AffectNet`).
    public var paths: [String: String]
}

/// `manifest.json` of a cache entry: the key components verbatim, outputs with digests, metrics and timings.
public struct Manifest: Codable, Sendable {
    public var key: String
    /// The exact value hashed into `key` (canonical JSON of it).
    public var components: ParamValue
    public var provenance: Provenance
    public var outputs: [String: OutputRecord]
    public var metrics: [String: Double]
    /// ISO 8601 UTC start time.
    public var started: String
    public var seconds: Double
    public var host: String
    public var toolVersion: String
    /// The instance's log, relative to the entry directory.
    public var log: String

    enum CodingKeys: String, CodingKey {
        case key, components, provenance, outputs, metrics, started, seconds, host, toolVersion, log
    }

    init(key: String, components: ParamValue, provenance: Provenance, outputs: [String: OutputRecord], metrics: [String: Double],
         started: String, seconds: Double, host: String, toolVersion: String, log: String) {
        self.key = key
        self.components = components
        self.provenance = provenance
        self.outputs = outputs
        self.metrics = metrics
        self.started = started
        self.seconds = seconds
        self.host = host
        self.toolVersion = toolVersion
        self.log = log
    }

    /// Decodes everything but `components`, which `decode(_:)` reads with `JSONReader` (much faster).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(String.self, forKey: .key)
        components = .null
        provenance = try c.decode(Provenance.self, forKey: .provenance)
        outputs = try c.decode([String: OutputRecord].self, forKey: .outputs)
        metrics = try c.decode([String: Double].self, forKey: .metrics)
        started = try c.decode(String.self, forKey: .started)
        seconds = try c.decode(Double.self, forKey: .seconds)
        host = try c.decode(String.self, forKey: .host)
        toolVersion = try c.decode(String.self, forKey: .toolVersion)
        log = try c.decode(String.self, forKey: .log)
    }

    static func decode(_ data: Data) throws -> Manifest {
        var m = try JSONDecoder().decode(Manifest.self, from: data)
        guard let components = try JSONReader.parse(data).mapValue?["components"] else {
            throw GraphError.io(path: "manifest.json", reason: "no components")
        }
        m.components = components
        return m
    }

    func encoded() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try e.encode(self)
    }
}
