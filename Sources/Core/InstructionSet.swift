import CKernels
import Foundation

/// The instruction sets the C kernels (`CKernels`: the direct 3×3 convolution and Winograd's tile transforms) run
/// on, all giving the same bits (`palimpsest_direct_isa`); only their speed differs.
enum InstructionSet: String, CaseIterable {
    case scalar, avx2, avx512

    var raw: palimpsest_direct_isa {
        switch self {
        case .scalar: PALIMPSEST_DIRECT_SCALAR
        case .avx2: PALIMPSEST_DIRECT_AVX2
        case .avx512: PALIMPSEST_DIRECT_AVX512
        }
    }

    /// Whether this CPU runs it.
    var isSupported: Bool { palimpsest_direct_supports(raw) }

    /// The widest one this CPU runs.
    static let widest: InstructionSet = allCases.last { $0.isSupported }!

    /// The value of `DirectKernel.environmentVariable`, if set.
    static let requested = ProcessInfo.processInfo.environment[DirectKernel.environmentVariable]

    /// The instruction set `name` names, if this CPU runs it.
    static func named(_ name: String) -> InstructionSet? {
        InstructionSet(rawValue: name).flatMap { $0.isSupported ? $0 : nil }
    }

    /// The one every call runs: the requested one when this CPU runs it (to measure the narrower paths), else the
    /// widest.
    static let chosen: InstructionSet = requested.flatMap(named) ?? widest
}

/// The C kernels' instruction set, as the command line sees it.
public enum DirectKernel {
    /// Caps the instruction set of the C kernels (`scalar`, `avx2` or `avx512`; unset: the widest this CPU runs):
    /// the direct convolution and Winograd's transforms. Every path gives the same bits, so it only changes speed:
    /// for measuring the paths against each other.
    public static let environmentVariable = "PALIMPSEST_DIRECT_ISA"

    /// The instruction set every call runs (`avx512`, `avx2` or `scalar`).
    public static var instructionSet: String { InstructionSet.chosen.rawValue }

    /// What is wrong with `environmentVariable` (not a name, or one this CPU does not run), or nil.
    public static func environmentProblem() -> String? {
        guard let value = InstructionSet.requested, InstructionSet.named(value) == nil else { return nil }
        let supported = InstructionSet.allCases.filter(\.isSupported).map(\.rawValue)
        return "\(environmentVariable)=\(value): expected one of \(supported.joined(separator: ", ")) (the instruction "
            + "sets this CPU runs)"
    }
}
