import ArgumentParser
import Graph

/// The `palimpsest` command: one subcommand per file in this folder.
@main
struct Palimpsest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "palimpsest",
        abstract: "Run declarative experiment graphs that measure what transfer learning forgets.",
        version: ToolVersion.string,
        subcommands: [
            RunCommand.self,
            StatusCommand.self,
            DagCommand.self,
            ShowCommand.self,
            GcCommand.self,
            BenchCommand.self,
            StatsCommand.self,
            SynthCommand.self,
        ]
    )
}
