import ArgumentParser
import Foundation
import Graph
import Nodes

/// `palimpsest kinds`: the node kinds with their ports, outputs and params, from their own declarations.
struct KindsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kinds",
        abstract: "List the node kinds with their inputs, outputs and params (Markdown; docs/kinds.md is this output).")

    func run() throws {
        print(KindCatalog.markdown(NodeRegistry.all), terminator: "")
    }
}
