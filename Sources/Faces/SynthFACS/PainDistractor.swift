/// A facial action the synthetic pain data add independently of pain: pain models learn to ignore it, so it is
/// a confound of any forgetting measured on its AUs (a parameter, not a hidden design choice).
public enum PainDistractor: String, CaseIterable, Sendable, Codable, Comparable {
    /// Talking: lips part (AU25 at 2) with an oscillating jaw drop (AU26 0–3) for a quarter to half of a
    /// sequence, in `talkingRate` of the sequences.
    case talking
    /// A smile (AU12 at 1–3) for 6 frames to a third of a sequence, in `smileRate` of the sequences.
    case smiles

    /// The AUs it draws.
    public var units: [ActionUnit] {
        switch self {
        case .talking: return [.au25, .au26]
        case .smiles: return [.au12]
        }
    }

    /// The distractors named in `names` ("talking", "smiles"; an empty list for none).
    /// - Throws: `FacesError.invalidParameter` naming `field` for an unknown or repeated name.
    public static func parse(_ names: [String], field: String = "distractors") throws -> Set<PainDistractor> {
        var out = Set<PainDistractor>()
        let known = allCases.map(\.rawValue).joined(separator: ", ")
        for name in names {
            guard let distractor = PainDistractor(rawValue: name) else {
                throw FacesError.invalidParameter(name: field, expected: "a list of \(known) (or [] for none)", found: "'\(name)'")
            }
            guard out.insert(distractor).inserted else {
                throw FacesError.invalidParameter(name: field, expected: "each distractor at most once", found: "'\(name)' twice")
            }
        }
        return out
    }

    public static func < (a: PainDistractor, b: PainDistractor) -> Bool { a.rawValue < b.rawValue }
}
