/// What the study predicts a pain model forgets in one AU area of one emotion class: the AUs of the area that the
/// class shows and the pain task never uses are the candidates for forgetting; AUs that pain also uses are kept.
///
/// The table: an emotion's AUs are its EMFACS-style prototype (`Emotion.prototype`, core and optional AUs; the
/// study's Fig. 6 lists the same prototypes), pain's AUs are PSPI's (`SynthFACS.painUnits`: AU4, 6, 7, 9, 10, 43;
/// Prkachin & Solomon 2008). SynthFACS draws its faces from exactly this table, so on SynthFACS the expectation is
/// the planted truth; on real data it is the table's prediction (docs/data.md).
public struct ForgettingExpectation: Sendable, Equatable {
    /// How an area stands for a class.
    public enum Verdict: String, Sendable, Codable, CaseIterable {
        /// The class shows an AU of the area that pain never uses: predicted to be forgotten.
        case painNeverUses = "pain_never_uses"
        /// The class's AUs in the area are all ones pain uses too: predicted to be kept.
        case sharedWithPain = "shared_with_pain"
        /// The class shows no AU of the area.
        case notInClass = "not_in_class"
    }

    public var verdict: Verdict
    /// The area's AUs the class shows and pain never uses, ascending.
    public var painNeverUses: [ActionUnit]
    /// The area's AUs the class shows and pain uses, ascending.
    public var sharedWithPain: [ActionUnit]

    /// PSPI's AUs: the ones the pain task uses.
    public static let painUnits = Set(SynthFACS.painUnits)

    /// The expectation for `region` in class `className` (an emotion name, any case: "Surprise", "surprise"),
    /// or nil when the name is no emotion of the table.
    public init?(region: ActionUnitRegion, className: String) {
        guard let emotion = Emotion.allCases.first(where: { $0.key == className.lowercased() }) else { return nil }
        let shown = Set(emotion.prototype.core + emotion.prototype.optional)
        let inArea = region.actionUnits.filter(shown.contains)
        painNeverUses = inArea.filter { !Self.painUnits.contains($0) }.sorted()
        sharedWithPain = inArea.filter(Self.painUnits.contains).sorted()
        verdict = !painNeverUses.isEmpty ? .painNeverUses : !sharedWithPain.isEmpty ? .sharedWithPain : .notInClass
    }
}
