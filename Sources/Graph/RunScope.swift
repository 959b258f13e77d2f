import Foundation

/// What both executors (and `run --dry-run`) work out before they run anything, and how both record a run in `FILE.lock`.
///
/// The lock-file policy: after a run (unless `writeLockFile` is off: `--set` overrides or `--no-lock-file`),
/// `FILE.lock` holds an entry for every instance the run found complete (executed, pulled or cached), over the
/// previous lock's entries of instances that still exist, so an instance that failed or was skipped keeps its last
/// locked entry. It is written whether or not an instance failed, and failing to write it is a warning, not a
/// failed run (the results are in the cache).
public struct RunScope: Sendable {
    /// The instances to run or reuse: those `--only` names with everything upstream, or all.
    public let selected: Set<Int>
    /// The instances to execute even if cached: those `--force` names with everything downstream.
    public let forced: Set<Int>
    /// `FILE.lock` beside the experiment file; nil for an experiment parsed from text.
    public let lockURL: URL?
    /// The lock file before this run, if there is one.
    public let previousLock: LockFile?

    /// Resolves `--only` and `--force` (an unknown name throws `GraphError.usage`) and reads the lock file.
    public init(_ experiment: Experiment, options: RunOptions) throws(GraphError) {
        selected = options.only.isEmpty ? Set(experiment.instances.indices) : try experiment.withAncestors(of: options.only)
        forced = options.force.isEmpty ? [] : try experiment.withDescendants(of: options.force)
        lockURL = experiment.file.map(LockFile.url(for:))
        previousLock = try lockURL.flatMap { url throws(GraphError) in try LockFile.read(url) }
    }

    /// Writes `FILE.lock` with the entries of `manifests` (the complete instances, by id), following the policy.
    func recordLock(_ experiment: Experiment, manifests: [String: Manifest], options: RunOptions, observer: RunObserver?) {
        guard options.writeLockFile, let lockURL else { return }
        do { try LockFile.update(lockURL, experiment: experiment, previous: previousLock, manifests: manifests) } catch {
            observer?.handle(.warning("\(lockURL.lastPathComponent) was not updated (the results are cached): \(error.plainDescription)"))
        }
    }
}
