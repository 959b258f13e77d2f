import Foundation
import Testing
@testable import Graph
@testable import Nodes

@Suite struct NodeRegistryTests {
    @Test func registryNamesAreUniqueAndEveryKindHasOutputs() {
        let names = NodeRegistry.all.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.contains("shell"))
        #expect(NodeRegistry.all.allSatisfy { !$0.type.outputs.isEmpty && $0.type.version >= 1 })
    }

    @Test func catalogIsGeneratedFromDeclarations() {
        let md = KindCatalog.markdown(NodeRegistry.all)
        #expect(md.contains("### `shell` (v1)"))
        #expect(md.contains("| `cmd` | a string, required | The command, run with /bin/sh -c in a fresh temporary directory. |"))
        #expect(md.contains("| `deps` | a list of paths, default [] |"))
        #expect(md.contains("Any other param is accepted."))
    }
}
