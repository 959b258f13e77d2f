import Foundation

/// Every failure of the Faces module: bad image files, malformed dataset trees, impossible splits, bad parameters.
///
/// Messages name the file (or tree) and say what was expected and what was found.
public enum FacesError: Error, Equatable, LocalizedError, CustomStringConvertible {
    /// A file could not be read at all (missing, permission, I/O error).
    case unreadableFile(path: String, reason: String)
    /// A file is not a PNG or JPEG, or is truncated or corrupt.
    case badImage(path: String, reason: String)
    /// An image could not be encoded or written.
    case writeFailed(path: String, reason: String)
    /// A crop box does not overlap the image.
    case badCrop(path: String, box: CropBox, width: Int, height: Int)
    /// A dataset tree is missing files or holds malformed ones; `problems` lists the first few, each naming its path.
    case invalidTree(dataset: String, root: String, problems: [String])
    /// A split cannot satisfy its constraints (e.g. too few pain frames).
    case infeasibleSplit(dataset: String, reason: String)
    /// A parameter is out of range.
    case invalidParameter(name: String, expected: String, found: String)
    /// A cache file does not match the requested dataset, size or format.
    case cacheMismatch(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadableFile(path, reason):
            return "\(path): cannot read file: \(reason)"
        case let .badImage(path, reason):
            return "\(path): not a readable PNG or JPEG image: \(reason)"
        case let .writeFailed(path, reason):
            return "\(path): cannot write: \(reason)"
        case let .badCrop(path, box, width, height):
            return "\(path): crop box x=\(box.x) y=\(box.y) w=\(box.width) h=\(box.height) lies outside the \(width)×\(height) image"
        case let .invalidTree(dataset, root, problems):
            let shown = problems.prefix(10).map { "  - \($0)" }.joined(separator: "\n")
            let more = problems.count > 10 ? "\n  … and \(problems.count - 10) more" : ""
            return "\(root): not a valid \(dataset) tree (\(problems.count) problem\(problems.count == 1 ? "" : "s")):\n\(shown)\(more)"
        case let .infeasibleSplit(dataset, reason):
            return "\(dataset) split impossible: \(reason)"
        case let .invalidParameter(name, expected, found):
            return "parameter \(name): expected \(expected), found \(found)"
        case let .cacheMismatch(path, reason):
            return "\(path): cache file does not match: \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
