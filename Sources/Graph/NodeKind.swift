import Foundation

/// An input port of a node kind.
public struct PortSpec: Sendable {
    public let name: String
    /// A gathering port takes any number of upstream instances (`node[*]`, `"*"`, or a list of references);
    /// a plain port takes exactly one per instance.
    public let gather: Bool
    /// An optional port may be left unconnected.
    public let optional: Bool
    public let doc: String

    public init(_ name: String, gather: Bool = false, optional: Bool = false, doc: String) {
        self.name = name
        self.gather = gather
        self.optional = optional
        self.doc = doc
    }
}

/// A named output of a node kind: a directory inside the cache entry.
public struct OutputSpec: Sendable {
    public let name: String
    public let doc: String

    public init(_ name: String, doc: String) {
        self.name = name
        self.doc = doc
    }
}

/// A kind of node (`train_base`, `shell`, …): a static contract the graph is validated and keyed from, and
/// the code that produces the outputs.
///
/// The graph never instantiates kinds; everything is static. Kinds are registered in one explicit list
/// (`NodeRegistry.all` in the Nodes module) that the caller hands to `Experiment.load`.
public protocol NodeKind: Sendable {
    /// The snake_case name used as `kind:` in experiment files.
    static var kind: String { get }
    /// The implementation version: bump it whenever the same inputs would now give different outputs,
    /// and every cached result of this kind becomes stale.
    static var version: Int { get }
    /// One line for `palimpsest` docs and tables.
    static var summary: String { get }
    /// Declared params; matrix axes of the node must be among them (unless `acceptsUndeclaredParams`).
    static var params: [ParamSpec] { get }
    /// Declared input ports.
    static var inputs: [PortSpec] { get }
    /// Declared outputs; a reference `node` means the first, `node.name` a named one.
    static var outputs: [OutputSpec] { get }
    /// Kinds such as `shell` take any extra param (exported to the command) without declaring it.
    static var acceptsUndeclaredParams: Bool { get }
    /// Kinds such as `shell` take inputs on any port name; such ports gather.
    static var acceptsUndeclaredInputs: Bool { get }
    /// Whether the experiment seed is part of this kind's cache key (false for deterministic data readers).
    static var usesSeed: Bool { get }
    /// Checks that involve several params at once; each returned string is reported at the node.
    static func validate(_ params: [String: ParamValue]) -> [String]
    /// Produces the outputs. Runs in a fresh working directory; throw `NodeFailure` to fail with a reason.
    static func run(_ context: NodeContext) throws
}

extension NodeKind {
    public static var acceptsUndeclaredParams: Bool { false }
    public static var acceptsUndeclaredInputs: Bool { false }
    public static var usesSeed: Bool { true }
    public static func validate(_ params: [String: ParamValue]) -> [String] { [] }
}

/// A node kind as a value, so kinds can travel in arrays and across threads.
public struct KindRef: Sendable {
    public let type: any NodeKind.Type
    public init(_ type: any NodeKind.Type) { self.type = type }
    public var name: String { type.kind }
}
