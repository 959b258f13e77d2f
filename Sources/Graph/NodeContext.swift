import Foundation

/// One upstream output handed to a node: the directory to read and where it came from.
public struct InputArtifact: Sendable {
    /// The upstream instance id, e.g. `head[blocks=5]`.
    public let instance: String
    /// The upstream node's kind (`evaluate`, `svm_probe`, …): how a gathering node such as `report` tells
    /// artifacts apart.
    public let kind: String
    /// The upstream output's name.
    public let output: String
    /// The upstream instance's matrix coordinates (how gathered inputs tell each other apart).
    public let coordinates: [String: ParamValue]
    /// The output directory inside the upstream cache entry; read only.
    public let directory: URL
    /// The content digest of that output (SHA-256 hex).
    public let digest: String
    /// Headline metrics the upstream recorded.
    public let metrics: [String: Double]
    /// The upstream entry's manifest (key, key components, timings): provenance for reports.
    public let manifest: Manifest
}

/// Validated, resolved params of one instance (defaults filled in, matrix values included) with typed getters.
public struct ParamSet: Sendable {
    public let values: [String: ParamValue]
    /// Relative `path` params resolve against this directory (the experiment file's directory).
    public let baseDirectory: URL

    public subscript(name: String) -> ParamValue? { values[name] }

    public func int(_ name: String) throws -> Int {
        guard let v = values[name]?.intValue else { throw missing(name, "an integer") }
        return v
    }

    public func double(_ name: String) throws -> Double {
        guard let v = values[name]?.number else { throw missing(name, "a number") }
        return v
    }

    public func string(_ name: String) throws -> String {
        guard let v = values[name]?.stringValue else { throw missing(name, "a string") }
        return v
    }

    public func bool(_ name: String) throws -> Bool {
        guard let v = values[name]?.boolValue else { throw missing(name, "a boolean") }
        return v
    }

    /// A `path` param as an absolute file URL.
    public func path(_ name: String) throws -> URL {
        resolve(try string(name))
    }

    /// Resolves a path written in the experiment file against the experiment's directory.
    public func resolve(_ path: String) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : baseDirectory.appendingPathComponent(path).standardizedFileURL
    }

    /// Decodes all params (or the record `name`) into a `Decodable` type; keys convert from snake_case.
    public func decode<T: Decodable>(_ type: T.Type, from name: String? = nil) throws -> T {
        let value: ParamValue = name.map { values[$0] ?? .null } ?? .map(values)
        let data = try JSONEncoder().encode(value)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(T.self, from: data)
    }

    private func missing(_ name: String, _ expected: String) -> NodeFailure {
        NodeFailure("param '\(name)' is not \(expected) (found \(values[name].map(\.description) ?? "nothing"))")
    }
}

/// Progress of a running node, as shown by the runner (bar with ETA on a terminal, lines otherwise).
public struct ProgressUpdate: Sendable {
    /// Done fraction in 0…1.
    public let fraction: Double
    /// A short status such as `epoch 3/10 batch 40/188 loss 0.412`.
    public let message: String
}

/// Everything a node kind's `run` may use. Created by the executor for one instance.
public final class NodeContext: @unchecked Sendable {
    public let instance: String
    public let node: String
    public let coordinates: [String: ParamValue]
    public let params: ParamSet
    /// Upstream outputs per port, in coordinate order (one element for a plain port).
    public let inputs: [String: [InputArtifact]]
    /// Output directories by output name; write the results here.
    public let outputs: [String: URL]
    /// Output names in declared order.
    public let outputNames: [String]
    /// A directory kept across kills of the runner for this key (epoch snapshots); dropped once committed.
    public let partialDirectory: URL
    /// A fresh, empty scratch directory, removed afterwards.
    public let workDirectory: URL
    /// The node's seed (experiment seed, or the node's `seed:` override).
    public let seed: UInt64
    public let experimentName: String
    /// The file that `log` appends to; kept in the cache entry as `log.txt`.
    public let logFile: URL

    private let lock = NSLock()
    private let logHandle: FileHandle
    private var recordedMetrics: [String: Double] = [:]
    private let onProgress: @Sendable (ProgressUpdate) -> Void

    init(instance: String, node: String, coordinates: [String: ParamValue], params: ParamSet,
         inputs: [String: [InputArtifact]], outputs: [(String, URL)], partialDirectory: URL, workDirectory: URL,
         seed: UInt64, experimentName: String, logFile: URL, logHandle: FileHandle,
         onProgress: @escaping @Sendable (ProgressUpdate) -> Void) {
        self.instance = instance
        self.node = node
        self.coordinates = coordinates
        self.params = params
        self.inputs = inputs
        self.outputs = Dictionary(uniqueKeysWithValues: outputs)
        self.outputNames = outputs.map(\.0)
        self.partialDirectory = partialDirectory
        self.workDirectory = workDirectory
        self.seed = seed
        self.experimentName = experimentName
        self.logFile = logFile
        self.logHandle = logHandle
        self.onProgress = onProgress
    }

    /// The single upstream output on a plain port.
    public func input(_ port: String) throws -> InputArtifact {
        guard let list = inputs[port], list.count == 1 else {
            throw NodeFailure("input port '\(port)' has \(inputs[port]?.count ?? 0) artifacts, expected 1")
        }
        return list[0]
    }

    /// The output directory `name`, or the first declared output.
    public func output(_ name: String? = nil) -> URL {
        outputs[name ?? outputNames[0]]!
    }

    /// Appends a line to this instance's log (kept in its cache entry). A line that cannot be written (a full
    /// disk) is dropped: the node's own writes fail and report it.
    public func log(_ line: String) {
        lock.lock(); defer { lock.unlock() }
        try? logHandle.write(contentsOf: Data((line.hasSuffix("\n") ? line : line + "\n").utf8))
    }

    /// Records a headline metric (accuracy, macro F1, …): kept in the manifest and the lock file. JSON numbers
    /// are finite, so a non-finite value (a t of ±∞ when every difference is equal) is logged, not recorded.
    public func metric(_ name: String, _ value: Double) {
        guard value.isFinite else {
            log("metric \(name) = \(value) not recorded: manifests hold finite numbers only (the node's own files have it)")
            return
        }
        lock.lock(); defer { lock.unlock() }
        recordedMetrics[name] = value
    }

    var metrics: [String: Double] {
        lock.lock(); defer { lock.unlock() }
        return recordedMetrics
    }

    /// Reports progress as a fraction with a message.
    public func progress(_ fraction: Double, _ message: String) {
        onProgress(ProgressUpdate(fraction: min(max(fraction, 0), 1), message: message))
    }

    /// Reports training progress; epochs and batches count from 1.
    public func progress(epoch: Int, of epochs: Int, batch: Int, of batches: Int, loss: Double? = nil) {
        let done = (Double(epoch - 1) + Double(batch) / Double(max(batches, 1))) / Double(max(epochs, 1))
        var message = "epoch \(epoch)/\(epochs) batch \(batch)/\(batches)"
        if let loss { message += String(format: " loss %.4f", loss) }
        progress(done, message)
    }
}
