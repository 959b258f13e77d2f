import Foundation

/// One upstream output feeding an instance: which instance and which of its outputs.
public struct InputSource: Sendable, Hashable {
    /// Index into `Experiment.instances`.
    public let instance: Int
    public let output: String
}

/// One runnable instance of a node: a node with one combination of matrix coordinates.
public struct Instance: Sendable {
    /// Position in `Experiment.instances` (a topological order).
    public let index: Int
    /// Display id: `node` or `node[axis=value,…]` with axes sorted by name.
    public let id: String
    public let node: String
    public let kind: KindRef
    /// Matrix coordinates: the node's own axes and those inherited from upstream.
    public let coordinates: [String: ParamValue]
    /// Resolved params: defaults filled in, shared blocks merged, own matrix values set.
    public let params: [String: ParamValue]
    /// Upstream sources per input port, ports sorted by name; gathered sources in coordinate order.
    public let inputs: [(port: String, sources: [InputSource])]
    public let seed: UInt64
    /// Where the node is defined in the experiment file.
    public let location: SourceLocation

    /// Indices of upstream instances, without repeats.
    public var dependencies: [Int] {
        var seen = Set<Int>()
        return inputs.flatMap { $0.sources.map(\.instance) }.filter { seen.insert($0).inserted }
    }

    /// Builds the display id from a node name and coordinates.
    static func makeID(node: String, coordinates: [String: ParamValue]) -> String {
        if coordinates.isEmpty { return node }
        return node + "[" + coordinates.keys.sorted().map { "\($0)=\(coordinates[$0]!)" }.joined(separator: ",") + "]"
    }
}
