import ArgumentParser
import Foundation
import Graph

extension DagRenderer.Format: ExpressibleByArgument {}

/// `palimpsest dag`: the experiment's instance graph as text, Mermaid or Graphviz dot.
struct DagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dag",
        abstract: "Print the experiment's graph of instances (text, mermaid or dot).")

    @OptionGroup var options: ExperimentOptions

    @Option(help: "Output format: text, mermaid or dot.")
    var format: DagRenderer.Format = .text

    func run() throws {
        print(DagRenderer.render(try options.experiment(), format: format), terminator: "")
    }
}
