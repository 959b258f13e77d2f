import Foundation
import Testing
@testable import Graph

/// Validation: every error names its line and column and what was expected.
@Suite struct ExperimentValidationTests {
    /// The single diagnostic for `yaml`, as `line:col message`.
    func only(_ yaml: String, overrides: [String] = []) -> (String, String) {
        let d = diagnostics(yaml, overrides: overrides)
        guard d.count == 1 else { return ("\(d.count) diagnostics", d.map(\.description).joined(separator: " | ")) }
        return ("\(d[0].location.line):\(d[0].location.column)", d[0].message)
    }

    @Test func validFileHasNoDiagnostics() {
        #expect(diagnostics(ExecutorTests.diamond).isEmpty)
    }

    @Test func unknownKindSuggestsTheClosest() {
        let (at, message) = only("palimpsest: 1\nnodes:\n  a: {kind: emitt}\n")
        #expect(at == "3:13")
        #expect(message.contains("unknown kind 'emitt'") && message.contains("did you mean 'emit'"))
    }

    @Test func unknownParamSuggestsTheClosest() {
        let (at, message) = only("palimpsest: 1\nnodes:\n  a:\n    kind: emit\n    params:\n      valeu: 3\n")
        #expect(at == "6:7")
        #expect(message.contains("unknown param 'valeu'") && message.contains("did you mean 'value'"))
    }

    @Test func wrongTypeSaysExpectedAndFound() {
        let (at, message) = only("palimpsest: 1\nnodes:\n  a: {kind: emit, params: {value: ten}}\n")
        #expect(at == "3:35")
        #expect(message.contains("expected an integer, found the string \"ten\""))
        let (at2, message2) = only("palimpsest: 1\nnodes:\n  a: {kind: emit, params: {label: 5}}\n")
        #expect(at2 == "3:35")
        #expect(message2.contains("expected a string, found an integer"))
    }

    @Test func disallowedValueAndRange() {
        let (at, message) = only("palimpsest: 1\nnodes:\n  a: {kind: emit, params: {mode: dobule}}\n")
        #expect(at == "3:34")
        #expect(message.contains("did you mean 'double'") && message.contains("plain, double"))
        let (at2, message2) = only("palimpsest: 1\nnodes:\n  a: {kind: emit, params: {blocks: 7}}\n")
        #expect(at2 == "3:36")
        #expect(message2.contains("out of range; expected 0…5"))
    }

    @Test func missingRequiredParam() {
        let (at, message) = only("palimpsest: 1\nnodes:\n  d:\n    kind: read_file\n")
        #expect(at == "4:5")
        #expect(message.contains("missing required param 'source'"))
    }

    @Test func unknownNodeAndOutputReferences() {
        let (at, message) = only("palimpsest: 1\nnodes:\n  a: {kind: emit}\n  b: {kind: emit, inputs: {from: aa}}\n")
        #expect(at == "4:34")
        #expect(message.contains("unknown node 'aa'") && message.contains("did you mean 'a'"))
        let yaml = "palimpsest: 1\nnodes:\n  a: {kind: emit}\n  s: {kind: subtract, inputs: {a: a, b: a}}\n  c: {kind: emit, inputs: {from: s.extr}}\n"
        let (at2, message2) = only(yaml)
        #expect(at2 == "5:34")
        #expect(message2.contains("has no output 'extr'") && message2.contains("did you mean 'extra'"))
    }

    @Test func cycleIsPrinted() {
        let yaml = "palimpsest: 1\nnodes:\n  a: {kind: emit, inputs: {from: c}}\n  b: {kind: emit, inputs: {from: a}}\n  c: {kind: emit, inputs: {from: b}}\n"
        let (at, message) = only(yaml)
        #expect(at == "3:34")
        #expect(message.contains("cycle in the graph: a → b → c → a"))
    }

    @Test func duplicateIDPointsAtTheRepeat() {
        let (at, message) = only("palimpsest: 1\nnodes:\n  a: {kind: emit}\n  b: {kind: emit}\n  a: {kind: emit}\n")
        #expect(at == "5:3")
        #expect(message.contains("duplicate key 'a' (first defined at 3:3)"))
    }

    @Test func badMatrixValues() {
        let (at, message) = only("palimpsest: 1\nnodes:\n  f: {kind: emit, matrix: {blocks: [0, 3, 6]}}\n")
        #expect(at == "3:43")
        #expect(message.contains("bad matrix value") && message.contains("out of range"))
        let (at2, message2) = only("palimpsest: 1\nnodes:\n  f: {kind: emit, matrix: {blokcs: [0]}}\n")
        #expect(at2 == "3:28")
        #expect(message2.contains("unknown param 'blokcs' in matrix") && message2.contains("did you mean 'blocks'"))
        let selector = "palimpsest: 1\nnodes:\n  f: {kind: emit, matrix: {blocks: [0, 5]}}\n  g: {kind: emit, inputs: {from: \"f[blocks=4]\"}}\n"
        let (at3, message3) = only(selector)
        #expect(at3 == "4:34")
        #expect(message3.contains("f has blocks 0, 5; not 4"))
    }

    @Test func schemaVersionAndTopLevelKeys() {
        #expect(only("palimpsest: 2\nnodes: {}\n").0 == "1:13")
        let (at, message) = only("palimpsest: 1\nmodle: {input: 32}\nnodes: {}\n")
        #expect(at == "2:1")
        #expect(message.contains("did you mean 'model'"))
    }

    @Test func plainPortRejectsGather() {
        let yaml = "palimpsest: 1\nnodes:\n  f: {kind: emit, matrix: {blocks: [0, 5]}}\n  s: {kind: subtract, inputs: {a: \"f[*]\", b: f}}\n"
        let (at, message) = only(yaml)
        #expect(at == "4:35")
        #expect(message.contains("takes one instance"))
    }

    @Test func overridesAreValidatedLikeTheFile() {
        let (at, message) = only(ExecutorTests.diamond, overrides: ["b.value=x"])
        #expect(at == "1:9")
        #expect(message.contains("expected an integer"))
        let d = diagnostics(ExecutorTests.diamond, overrides: ["bb.value=3"])
        #expect(d.first?.location.file == "--set bb.value=3")
        #expect(d.first?.message.contains("did you mean 'b'") == true)
    }

    @Test func yamlSyntaxErrorsCarryTheirPosition() {
        let d = diagnostics("palimpsest: 1\nnodes:\n  a: {kind: emit\n")
        #expect(d.count == 1)
        #expect(d.first?.message.hasPrefix("YAML syntax") == true)
        #expect(d.first?.location.line == 4)
    }

    @Test func quotedNumbersStayStrings() {
        #expect(only("palimpsest: 1\nnodes:\n  a: {kind: emit, params: {value: \"3\"}}\n").1.contains("found the string \"3\""))
    }
}
