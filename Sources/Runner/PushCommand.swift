import ArgumentParser
import Foundation
import Graph

/// `palimpsest push`: uploads the experiment's cache entries to a remote.
struct PushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Upload the experiment's cache entries to a remote (a directory, file:// URL or s3://bucket/prefix; see docs/remotes.md).",
        discussion: "Entries the remote has are not sent again, nor are file contents it holds for another entry. An interrupted push leaves only whole objects and resumes. Exit status: 0 when every entry was pushed or present, 1 when one failed, 2 for usage errors.")

    @OptionGroup var options: ExperimentOptions

    @OptionGroup var transfer: TransferOptions

    func run() throws {
        let experiment = try options.experiment()
        let store = try options.store()
        let writer = try remoteLocation(transfer.remote, experiment: experiment).writer()
        let copier = RemoteTransfer(store: store)
        let (items, missing) = copier.entries(of: experiment, selected: try experiment.selection(only: transfer.only))
        warnIfUnsaved(store.memo)
        let printer = TransferPrinter(verb: "push")
        let report = try copier.push(items, to: writer, jobs: transfer.jobs) { printer.show($0) }
        let failed = printer.finish(report, done: "pushed", present: "already on the remote", absent: "not verified in this cache")
        if !missing.isEmpty {
            FileHandle.standardError.write(Data("\(missing.count) instances are not in this cache (run them first): \(missing.prefix(5).joined(separator: ", "))\(missing.count > 5 ? ", …" : "")\n".utf8))
        }
        if failed { throw Termination.failed }
    }
}
