import Graph

/// Every node kind `palimpsest` knows, in one explicit list; the graph is validated against it.
public enum NodeRegistry {
    public static let all: [KindRef] = [
        KindRef(ShellNode.self),
        KindRef(SynthFacesNode.self),
        KindRef(AffectNetNode.self),
        KindRef(UNBCNode.self),
        KindRef(CKPlusNode.self),
        KindRef(TrainBaseNode.self),
        KindRef(FreezeNode.self),
        KindRef(FinetuneNode.self),
        KindRef(RetrainHeadNode.self),
        KindRef(EvaluateNode.self),
        KindRef(SignificanceTestNode.self),
        KindRef(DiffSaliencyNode.self),
        KindRef(ConceptCandidatesNode.self),
        KindRef(SVMProbeNode.self),
        KindRef(ReportNode.self),
    ]
}
