import ArgumentParser
import Core
import Foundation
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
            PushCommand.self,
            PullCommand.self,
            ExportCommand.self,
            DagCommand.self,
            ShowCommand.self,
            GcCommand.self,
            VerifyCommand.self,
            BenchCommand.self,
            StatsCommand.self,
            SynthCommand.self,
            KindsCommand.self,
        ]
    )

    /// Runs the command with OpenBLAS' fastest kernels for this CPU and an allocator that keeps freed memory; errors
    /// end it through `Termination`.
    static func main() {
        BLAS.relaunchWithPreferredKernels()
        Allocator.keepFreedMemory()
        if let problem = DirectKernel.environmentProblem() { Foundation.exit(Termination.usage(problem).rawValue) }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            Termination.exit(for: error)
        }
    }
}
