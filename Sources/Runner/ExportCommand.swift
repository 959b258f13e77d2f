import ArgumentParser
import Foundation
import Graph

/// `palimpsest export`: the experiment's entries, its file and its lock as one tar archive.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the experiment's cache entries, with the experiment file and FILE.lock, as one tar archive (for a data repository).",
        discussion: "The archive holds the remote layout (index.json, entries/, objects/) and experiment/FILE, experiment/FILE.lock; `palimpsest pull FILE ARCHIVE` (a path or an http(s) URL) imports it without unpacking.")

    @OptionGroup var options: ExperimentOptions

    @Option(help: ArgumentHelp("The archive to write (replaced atomically when complete).", valueName: "file.tar"))
    var out: String

    @Option(help: ArgumentHelp("Export only this node or instance and what it needs (repeatable).", valueName: "node"))
    var only: [String] = []

    func run() throws {
        let experiment = try options.experiment()
        let store = try options.store()
        let transfer = RemoteTransfer(store: store)
        let (items, missing) = transfer.entries(of: experiment, selected: try experiment.selection(only: only))
        warnIfUnsaved(store.memo)
        let archive = try ArchiveWriter(output: URL(fileURLWithPath: out))
        let printer = TransferPrinter(verb: "export")
        let report: TransferReport
        do {
            report = try transfer.push(items, to: archive, jobs: 1) { printer.show($0) }
            guard report.failures.isEmpty else {
                archive.abandon()
                _ = printer.finish(report, done: "exported", present: "already in the archive", absent: nil)
                throw Termination.failed
            }
            let name = options.fileURL.lastPathComponent
            try archive.add(options.fileURL, as: "experiment/\(name)")
            let lock = LockFile.url(for: options.fileURL)
            if FileManager.default.fileExists(atPath: lock.path) { try archive.add(lock, as: "experiment/\(name).lock") }
            try archive.finish()
        } catch {
            archive.abandon()
            throw error
        }
        _ = printer.finish(report, done: "exported", present: "already in the archive", absent: nil)
        print("wrote \(out)")
        if !missing.isEmpty {
            FileHandle.standardError.write(Data("warning: \(missing.count) instances are not in this cache and not in the archive (run them first): \(missing.prefix(5).joined(separator: ", "))\(missing.count > 5 ? ", …" : "")\n".utf8))
        }
    }
}
