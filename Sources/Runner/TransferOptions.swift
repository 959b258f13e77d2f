import ArgumentParser

/// What `push` and `pull` share: the remote, the subset and the parallelism.
struct TransferOptions: ParsableArguments {
    @Argument(help: "The remote: a name from the experiment's or the config file's remotes:, a directory, file://, s3://bucket/prefix, an http(s):// URL or a .tar archive (push: a directory or s3:// only).")
    var remote: String

    @Option(help: ArgumentHelp("Transfer only this node or instance and what it needs (repeatable).", valueName: "node"))
    var only: [String] = []

    @Option(name: .shortAndLong, help: "How many entries are transferred at once.")
    var jobs: Int = 4

    func validate() throws {
        guard jobs >= 1 else { throw Termination.usage("--jobs must be at least 1") }
    }
}
