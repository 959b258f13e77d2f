import ArgumentParser
import Foundation
import Graph

/// `palimpsest pull`: downloads the experiment's cache entries from a remote or an export archive.
struct PullCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Download the experiment's cache entries this cache lacks from a remote or an export archive (see docs/remotes.md).",
        discussion: "Every entry is verified (its key, every file's size and SHA-256, every output digest) before it is committed; nothing half-pulled stays. Exit status: 0 when everything the remote has was pulled, 1 when an entry was rejected or failed, 2 for usage errors.")

    @OptionGroup var options: ExperimentOptions

    @OptionGroup var transfer: TransferOptions

    func run() throws {
        let experiment = try options.experiment()
        let store = try options.store()
        let reader = try remoteLocation(transfer.remote, experiment: experiment).reader(scratch: store.root.appendingPathComponent("tmp"))
        let printer = TransferPrinter(verb: "pull")
        let report = try RemoteTransfer(store: store).pull(experiment, selected: try experiment.selection(only: transfer.only),
                                                           from: reader, jobs: transfer.jobs) { printer.show($0) }
        warnIfUnsaved(store.memo)
        if printer.finish(report, done: "pulled", present: "already in this cache", absent: "listed but missing on the remote") { throw Termination.failed }
    }
}
