import Graph

/// Every node kind `palimpsest` knows, in one explicit list; the graph is validated against it.
public enum NodeRegistry {
    public static let all: [KindRef] = [
        KindRef(ShellNode.self),
        KindRef(DiffSaliencyNode.self),
        KindRef(ConceptCandidatesNode.self),
        KindRef(SVMProbeNode.self),
    ]
}
