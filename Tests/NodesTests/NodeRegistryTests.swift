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

    /// docs/kinds.md is `palimpsest kinds` output: regenerate it with `palimpsest kinds > docs/kinds.md`.
    @Test func kindsDocumentationIsCurrent() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/kinds.md")
        let written = try String(contentsOf: docs, encoding: .utf8)
        #expect(written == KindCatalog.markdown(NodeRegistry.all), "docs/kinds.md is stale: run `palimpsest kinds > docs/kinds.md`")
    }
}
