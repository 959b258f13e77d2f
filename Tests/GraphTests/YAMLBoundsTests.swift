import Foundation
import Testing
@testable import Graph

/// Experiment files are input from strangers: aliases, deep nesting and huge files fail fast, with a location.
@Suite struct YAMLBoundsTests {
    /// `levels` anchors, each a list of ten aliases of the one before: 10^levels strings once expanded.
    static func aliasBomb(levels: Int, asKey: Bool = false) -> String {
        var yaml = "palimpsest: 1\nnodes:\n  a:\n    kind: emit\n    params:\n      label: x\n"
        yaml += "bomb:\n  l0: &a0 [\(Array(repeating: "lol", count: 10).joined(separator: ", "))]\n"
        for level in 1..<levels {
            yaml += "  l\(level): &a\(level) [\(Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", "))]\n"
        }
        if asKey { yaml += "  ? *a\(levels - 1)\n  : boom\n" }
        return yaml
    }

    /// Resident set size of this process in kilobytes (`VmRSS` in /proc/self/status).
    static func residentKilobytes() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    @Test func aliasBombFailsAtTheFirstAliasWithoutGrowing() throws {
        let sandbox = try Sandbox(Self.aliasBomb(levels: 10))
        let before = Self.residentKilobytes()
        var message = ""
        do { _ = try sandbox.load() } catch { message = "\(error)" }
        let grown = Self.residentKilobytes() - before
        #expect(message.contains("exp.yaml:9:12: error: YAML aliases (*a0) are not supported"), "\(message)")
        // Expanded, the bomb is 10^10 nodes; even three levels (1 000 strings) would not stay this small if copied
        // node by node, but the refusal reads only the file's events.
        #expect(grown < 20_000, "parsing the bomb grew resident memory by \(grown) kB")
    }

    @Test func aliasAsMappingKeyIsRefusedBeforeYamsHashesIt() {
        let d = diagnostics(Self.aliasBomb(levels: 10, asKey: true))
        #expect(d.count == 1 && d[0].location.line == 9 && d[0].message.contains("*a0"))
    }

    @Test func mergeKeysAndSingleAliasesAreRefusedToo() {
        let yaml = "palimpsest: 1\nbase: &base {value: 3}\nnodes:\n  a:\n    kind: emit\n    params:\n      <<: *base\n"
        let d = diagnostics(yaml)
        #expect(d.count == 1 && "\(d[0].location)" == "exp.yaml:7:11" && d[0].message.contains("write the value out"))
    }

    @Test func aliasInASetValueNamesTheArgument() {
        let d = diagnostics("palimpsest: 1\nnodes:\n  a: {kind: emit}\n", overrides: ["a.label=*x"])
        #expect(d.count == 1 && d[0].location.file == "--set a.label=*x" && d[0].location.column == 9
                && d[0].message.contains("aliases (*x)"))
    }

    @Test func starsInQuotedAndBlockScalarsAreText() {
        let yaml = """
        palimpsest: 1
        nodes:
          a:
            kind: emit
            params:
              label: "*not an alias"
          b:
            kind: emit
            params:
              label: |
                rm -f *.tmp
                *star at the start of a line
          c: {kind: emit, params: {label: 'a *b'}}
          d: {kind: emit, params: {label: rm *.tmp}}

        """
        #expect(diagnostics(yaml).isEmpty)
    }

    @Test func deepNestingIsRefusedAtTheLevelPastTheLimit() {
        let depth = YAMLBounds.maxDepth + 10
        let yaml = "palimpsest: 1\nnodes:\n  a: {kind: emit}\nx: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
        let d = diagnostics(yaml)
        // The root mapping is level 1, so the list opened at column 4 + (maxDepth − 1) is the first one too deep.
        #expect(d.count == 1 && "\(d[0].location)" == "exp.yaml:4:\(4 + YAMLBounds.maxDepth - 1)"
                && d[0].message.contains("nested more than \(YAMLBounds.maxDepth) levels"))
        let fine = "palimpsest: 1\nnodes:\n  a: {kind: emit}\nx: " + String(repeating: "[", count: 20) + String(repeating: "]", count: 20) + "\n"
        #expect(!diagnostics(fine).contains { $0.message.contains("nested") })
    }

    @Test func oversizedFileIsRefusedBeforeItIsRead() throws {
        let sandbox = try Sandbox("palimpsest: 1\nnodes:\n  a: {kind: emit}\n# " + String(repeating: "x", count: YAMLBounds.maxBytes) + "\n")
        var message = ""
        do { _ = try sandbox.load() } catch { message = "\(error)" }
        #expect(message.contains("bytes; the limit is \(YAMLBounds.maxBytes)"), "\(message)")
        let text = "palimpsest: 1\n# " + String(repeating: "x", count: YAMLBounds.maxBytes) + "\n"
        let d = diagnostics(text)
        #expect(d.count == 1 && d[0].message.contains("limited to \(YAMLBounds.maxBytes) bytes"))
    }

    @Test func syntaxErrorsStillComeFromYams() {
        let d = diagnostics("palimpsest: 1\nnodes: [a\n")
        #expect(d.count == 1 && d[0].message.hasPrefix("YAML syntax"))
    }
}
