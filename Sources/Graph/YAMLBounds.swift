import CLibYAML
import Foundation

/// Bounds on experiment YAML, checked on libyaml's event stream before Yams composes the document.
///
/// Experiment files are shared with papers, so they are input from strangers. Yams resolves aliases while composing
/// and hashes mapping keys recursively, so a ten-level alias bomb (`l1: &a1 [*a0, *a0, …]`, …) is exponential in
/// time and memory before any of our code sees a node. The event stream is linear in the file, so checking it first
/// bounds the whole parse: aliases are refused at the first one, nesting is bounded, and so is the text's size.
/// Syntax errors are left for Yams to report, with its messages.
public enum YAMLBounds {
    /// The largest experiment text accepted, in bytes (real experiment files are a few kilobytes).
    public static let maxBytes = 4 << 20
    /// The deepest nesting of lists and mappings accepted (real files nest five or six levels).
    public static let maxDepth = 64

    /// Throws a diagnostic at the first alias, at the first collection nested deeper than `maxDepth`, or at the
    /// start for text longer than `maxBytes`.
    ///
    /// - Parameters:
    ///   - text: the YAML document.
    ///   - file: the name used in locations.
    ///   - columnOffset: added to columns (for an override's value embedded in a longer argument).
    static func check(_ text: String, file: String, columnOffset: Int = 0) throws(GraphError) {
        let bytes = Array(text.utf8)
        if bytes.count > maxBytes {
            throw GraphError.invalid([Diagnostic(SourceLocation(file: file, line: 1, column: 1 + columnOffset),
                "the YAML text is \(bytes.count) bytes; experiment files are limited to \(maxBytes) bytes")])
        }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw GraphError.io(path: file, reason: "cannot start the YAML parser: out of memory")
        }
        defer { yaml_parser_delete(&parser) }
        try bytes.withUnsafeBufferPointer { (buffer) throws(GraphError) in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var depth = 0
            while true {
                var event = yaml_event_t()
                // A syntax error: Yams parses the same text next and reports it with its own wording.
                guard yaml_parser_parse(&parser, &event) == 1 else { return }
                defer { yaml_event_delete(&event) }
                let at = SourceLocation(file: file, line: Int(event.start_mark.line) + 1,
                                        column: Int(event.start_mark.column) + 1 + columnOffset)
                switch event.type {
                case YAML_ALIAS_EVENT:
                    let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
                    throw GraphError.invalid([Diagnostic(at,
                        "YAML aliases (*\(name)) are not supported in experiment files: write the value out "
                        + "(aliases are refused so that a file cannot expand to an exponential size)")])
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    depth += 1
                    if depth > maxDepth {
                        throw GraphError.invalid([Diagnostic(at,
                            "lists and mappings are nested more than \(maxDepth) levels deep here")])
                    }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    depth -= 1
                case YAML_STREAM_END_EVENT:
                    return
                default:
                    break
                }
            }
        }
    }
}
