import Foundation

/// Every error the compute core reports: bad files, bad configurations, bad data and diverging training.
public enum CoreError: Error, LocalizedError, CustomStringConvertible, Equatable {
    /// A tensor exists but has another shape than the model needs.
    case shapeMismatch(tensor: String, expected: [Int], found: [Int], file: String)
    /// A tensor the model needs is absent from a weights file.
    case missingTensor(tensor: String, file: String)
    /// A safetensors file is truncated or its header is not what the format prescribes.
    case malformedFile(file: String, reason: String)
    /// A tensor uses a storage type this reader does not convert.
    case unsupportedDType(tensor: String, dtype: String, file: String)
    /// A configuration field is out of its allowed range.
    case invalidConfiguration(field: String, expected: String, found: String)
    /// A batch or dataset does not match the model (shape, label range, sizes).
    case invalidData(field: String, expected: String, found: String)
    /// The loss became NaN or infinite; training stopped at that batch.
    case nonFiniteLoss(epoch: Int, batch: Int, value: Double)
    /// A file could not be read or written.
    case io(file: String, reason: String)
    /// A field of a file (JSON field, safetensors metadata key) holds a value outside what it may hold.
    case invalidField(file: String, field: String, expected: String, found: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(tensor, expected, found, file):
            return "\(file): tensor '\(tensor)' has shape \(found), expected \(expected)"
        case let .missingTensor(tensor, file):
            return "\(file): tensor '\(tensor)' is missing"
        case let .malformedFile(file, reason):
            return "\(file): not a valid safetensors file: \(reason)"
        case let .unsupportedDType(tensor, dtype, file):
            return "\(file): tensor '\(tensor)' has dtype \(dtype), expected F32, F64, I64 or I32"
        case let .invalidConfiguration(field, expected, found):
            return "invalid configuration: \(field) must be \(expected), found \(found)"
        case let .invalidData(field, expected, found):
            return "invalid data: \(field) must be \(expected), found \(found)"
        case let .nonFiniteLoss(epoch, batch, value):
            return "training diverged: loss is \(value) at epoch \(epoch), batch \(batch)"
        case let .io(file, reason):
            return "\(file): \(reason)"
        case let .invalidField(file, field, expected, found):
            return "\(file): \(field): expected \(expected), found \(found)"
        }
    }

    public var errorDescription: String? { description }
}
