import Crypto
import Foundation

/// The Slurm jobs last submitted for an experiment file, kept in the cache (`slurm/<file-hash>.json`) so that
/// `status` can show submitted, running and failed jobs after `run --executor slurm --detach`, and a second
/// submission can depend on jobs still queued instead of submitting them twice.
public struct SlurmRecord: Codable, Sendable {
    public struct Job: Codable, Sendable, Equatable {
        /// Slurm's job id.
        public var id: String
        /// The job's output file (standard output and error of `palimpsest` inside the job).
        public var log: String
        /// ISO 8601 UTC submission time.
        public var submitted: String
    }

    public var experimentFile: String
    /// Jobs by instance id.
    public var jobs: [String: Job]

    public init(experimentFile: String, jobs: [String: Job] = [:]) {
        self.experimentFile = experimentFile
        self.jobs = jobs
    }

    /// Where the record of an experiment file lives in a cache.
    public static func url(store: CacheStore, experimentFile: URL) -> URL {
        let digest = SHA256.hash(data: Data(experimentFile.standardizedFileURL.path.utf8))
        let name = digest.prefix(8).map { String(format: "%02x", $0) }.joined()
        return store.root.appendingPathComponent("slurm").appendingPathComponent(name + ".json")
    }

    /// Reads a record; nil when there is none or it does not parse (it is only a cache of job ids).
    public static func read(_ url: URL) -> SlurmRecord? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(SlurmRecord.self, from: data)
    }

    public func write(to url: URL) throws(GraphError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(self) } catch { throw GraphError.io(path: url.path, reason: GraphError.describe(error)) }
        try FileSystem.makeDirectory(url.deletingLastPathComponent())
        try FileSystem.writeAtomically(data, to: url)
    }
}

/// The Slurm job last submitted for an instance that is not up to date, as `status` shows it.
public struct SlurmJobStatus: Codable, Sendable {
    public let job: String
    /// Slurm's state, or `UNKNOWN` once the controller has forgotten the job.
    public let state: String
    public let reason: String
    public let log: String

    /// `Slurm job 12 RUNNING`, `Slurm job 13 FAILED (NonZeroExitCode), log …`.
    public var summary: String {
        var text = "Slurm job \(job) \(state)"
        if reason != "None", !reason.isEmpty { text += " (\(reason))" }
        if state != "PENDING", state != "RUNNING" { text += ", log \(log)" }
        return text
    }

    /// Jobs of the experiment's last Slurm submission for instances that `plan` says are not up to date.
    public static func of(_ plan: [PlanEntry], store: CacheStore, experimentFile: URL) throws(GraphError) -> [String: SlurmJobStatus] {
        guard let record = SlurmRecord.read(SlurmRecord.url(store: store, experimentFile: experimentFile)) else { return [:] }
        let pending = plan.filter { $0.state != .upToDate }.compactMap { entry in record.jobs[entry.id].map { (entry.id, $0) } }
        guard !pending.isEmpty, SlurmClient.isAvailable else { return [:] }
        let states = try SlurmClient().states(pending.map(\.1.id))
        var out: [String: SlurmJobStatus] = [:]
        for (id, job) in pending {
            let state = states[job.id]
            out[id] = SlurmJobStatus(job: job.id, state: state?.state ?? "UNKNOWN", reason: state?.reason ?? "no longer known to Slurm", log: job.log)
        }
        return out
    }
}
