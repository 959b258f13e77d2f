import ArgumentParser
import Foundation
import Graph

/// `palimpsest push`: uploads the experiment's cache entries to a remote.
struct PushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Upload the experiment's cache entries to a remote (a directory or file:// URL; see docs/remotes.md).",
        discussion: "Entries the remote has are not sent again, nor are file contents it holds for another entry. An interrupted push leaves only whole objects and resumes. Exit status: 0 when every entry was pushed or present, 1 when one failed, 2 for usage errors.")

    @OptionGroup var options: ExperimentOptions

    @Argument(help: "The remote: a name from the experiment's or the config file's remotes:, a directory or a file:// URL.")
    var remote: String

    @Option(help: ArgumentHelp("Push only this node or instance and what it needs (repeatable).", valueName: "node"))
    var only: [String] = []

    @Option(name: .shortAndLong, help: "How many entries are uploaded at once.")
    var jobs: Int = 4

    func validate() throws {
        guard jobs >= 1 else { throw usageError("--jobs must be at least 1") }
    }

    func run() throws {
        try reportingErrors {
            let experiment = try options.experiment()
            let store = try options.store()
            let writer = try remoteLocation(remote, experiment: experiment).writer()
            let transfer = RemoteTransfer(store: store)
            let (items, missing) = transfer.entries(of: experiment, selected: only.isEmpty ? nil : try experiment.withAncestors(of: only))
            warnIfUnsaved(store.memo)
            let printer = TransferPrinter(verb: "push")
            let report = try transfer.push(items, to: writer, jobs: jobs) { printer.show($0) }
            let failed = printer.finish(report, done: "pushed", present: "already on the remote", absent: "not verified in this cache")
            if !missing.isEmpty {
                FileHandle.standardError.write(Data("\(missing.count) instances are not in this cache (run them first): \(missing.prefix(5).joined(separator: ", "))\(missing.count > 5 ? ", …" : "")\n".utf8))
            }
            if failed { throw ExitCode(1) }
        }
    }
}
