/// The eight AffectNet expression classes, in AffectNet's label order (0…7).
public enum Emotion: Int, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case neutral = 0, happy, sad, surprise, fear, disgust, anger, contempt

    /// Capitalised class name as in AffectNet's documentation.
    public var description: String {
        ["Neutral", "Happy", "Sad", "Surprise", "Fear", "Disgust", "Anger", "Contempt"][rawValue]
    }

    /// Lower-case name for YAML and CLI use.
    public var key: String { description.lowercased() }

    /// Class names in label order.
    public static let names: [String] = allCases.map(\.description)

    /// Image counts of AffectNet's manually annotated training list per class (Mollahosseini et al. 2017),
    /// the default class frequencies of synthetic AffectNet data.
    public static let affectNetTrainingCounts: [Double] = [74_874, 134_415, 25_459, 14_090, 6_378, 3_803, 24_882, 3_750]

    /// CK+'s emotion code (0 neutral, 1 anger, 2 contempt, 3 disgust, 4 fear, 5 happy, 6 sadness, 7 surprise).
    public var ckPlusCode: Int { [0, 5, 6, 7, 4, 3, 1, 2][rawValue] }

    /// The emotion for a CK+ emotion code.
    public init?(ckPlusCode: Int) {
        guard let emotion = Emotion.allCases.first(where: { $0.ckPlusCode == ckPlusCode }) else { return nil }
        self = emotion
    }

    /// EMFACS-style prototype: AUs that always appear (`core`) and AUs that appear with probability
    /// `optionalRate` (`optional`). Contempt's AU12+AU14 are unilateral.
    public var prototype: (core: [ActionUnit], optional: [ActionUnit]) {
        switch self {
        case .neutral: return ([], [])
        case .happy: return ([.au6, .au12], [.au25])
        case .sad: return ([.au1, .au4, .au15], [.au17])
        case .surprise: return ([.au1, .au2, .au5, .au26], [.au25])
        case .fear: return ([.au1, .au2, .au4, .au5, .au7, .au20, .au26], [.au25])
        case .disgust: return ([.au9, .au10, .au15], [.au17])
        case .anger: return ([.au4, .au5, .au7, .au23], [])
        case .contempt: return ([.au12, .au14], [])
        }
    }

    /// Typical (valence, arousal) in [-1, 1], written to AffectNet-style lists.
    var valenceArousal: (Double, Double) {
        [(0, 0), (0.75, 0.3), (-0.6, -0.35), (0.2, 0.75), (-0.6, 0.7), (-0.65, 0.35), (-0.6, 0.65), (-0.4, 0.2)][rawValue]
    }
}
