/// The FACS action units SynthFACS renders (Ekman & Friesen's numbering).
public enum ActionUnit: Int, CaseIterable, Sendable, Codable, Comparable, CustomStringConvertible {
    case au1 = 1, au2 = 2, au4 = 4, au5 = 5, au6 = 6, au7 = 7, au9 = 9, au10 = 10, au12 = 12, au14 = 14
    case au15 = 15, au17 = 17, au20 = 20, au23 = 23, au25 = 25, au26 = 26, au43 = 43

    /// "AU5" style name.
    public var description: String { "AU\(rawValue)" }

    /// FACS name of the movement.
    public var name: String {
        switch self {
        case .au1: return "inner brow raiser"
        case .au2: return "outer brow raiser"
        case .au4: return "brow lowerer"
        case .au5: return "upper lid raiser"
        case .au6: return "cheek raiser"
        case .au7: return "lid tightener"
        case .au9: return "nose wrinkler"
        case .au10: return "upper lip raiser"
        case .au12: return "lip corner puller"
        case .au14: return "dimpler"
        case .au15: return "lip corner depressor"
        case .au17: return "chin raiser"
        case .au20: return "lip stretcher"
        case .au23: return "lip tightener"
        case .au25: return "lips part"
        case .au26: return "jaw drop"
        case .au43: return "eyes closed"
        }
    }

    /// True for the AUs SynthFACS can render on one side only (12 and 14).
    public var canBeUnilateral: Bool { self == .au12 || self == .au14 }

    /// Parses "AU5", "au5" or "5".
    public init?(name: String) {
        let digits = name.uppercased().hasPrefix("AU") ? String(name.dropFirst(2)) : name
        guard let number = Int(digits), let unit = ActionUnit(rawValue: number) else { return nil }
        self = unit
    }

    public static func < (a: ActionUnit, b: ActionUnit) -> Bool { a.rawValue < b.rawValue }
}

/// A side of the subject's face; the subject's right appears on the image's left.
public enum FaceSide: Int, Sendable, Codable {
    case right = 0, left = 1
}

/// Intensities 0…5 (FACS A…E = 1…5) of every action unit, with separate sides for AU12 and AU14.
public struct AUIntensities: Equatable, Hashable, Sendable {
    /// One slot per AU in `ActionUnit.allCases` order, plus the left sides of AU12 and AU14 at the end.
    private var slots: [Float]

    private static let order: [ActionUnit] = ActionUnit.allCases
    private static let leftSlot: [ActionUnit: Int] = [.au12: ActionUnit.allCases.count, .au14: ActionUnit.allCases.count + 1]

    /// All zero (a neutral face).
    public init() { slots = [Float](repeating: 0, count: ActionUnit.allCases.count + 2) }

    /// Bilateral intensities from a dictionary.
    public init(_ values: [ActionUnit: Float]) {
        self.init()
        for (unit, value) in values { self[unit] = value }
    }

    @inline(__always) private static func slot(_ unit: ActionUnit) -> Int { order.firstIndex(of: unit)! }

    /// The intensity of `unit`; for AU12/AU14 the larger side. Setting it sets both sides.
    public subscript(unit: ActionUnit) -> Float {
        get {
            let right = slots[Self.slot(unit)]
            if let left = Self.leftSlot[unit] { return max(right, slots[left]) }
            return right
        }
        set {
            slots[Self.slot(unit)] = newValue
            if let left = Self.leftSlot[unit] { slots[left] = newValue }
        }
    }

    /// The intensity of `unit` on one side (AU12/AU14 may differ per side; other AUs are bilateral).
    public subscript(unit: ActionUnit, side: FaceSide) -> Float {
        get {
            if side == .left, let left = Self.leftSlot[unit] { return slots[left] }
            return slots[Self.slot(unit)]
        }
        set {
            precondition(unit.canBeUnilateral, "\(unit) is bilateral")
            if side == .left { slots[Self.leftSlot[unit]!] = newValue } else { slots[Self.slot(unit)] = newValue }
        }
    }

    /// True when AU12 or AU14 differs between the sides.
    public func isUnilateral(_ unit: ActionUnit) -> Bool { self[unit, .left] != self[unit, .right] }

    /// The AUs with a non-zero intensity (the larger side for 12/14), in AU order.
    public var active: [(unit: ActionUnit, intensity: Float)] {
        ActionUnit.allCases.compactMap { self[$0] > 0 ? ($0, self[$0]) : nil }
    }

    /// Prkachin & Solomon pain intensity: AU4 + max(AU6, AU7) + max(AU9, AU10) + AU43 (0…16 with binary AU43).
    public var pspi: Float { self[.au4] + max(self[.au6], self[.au7]) + max(self[.au9], self[.au10]) + self[.au43] }

    /// Each intensity multiplied by `factor` (the frames leading to a peak).
    public func scaled(by factor: Float) -> AUIntensities {
        var copy = self
        copy.slots = slots.map { $0 * factor }
        return copy
    }
}
