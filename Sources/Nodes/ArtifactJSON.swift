import Foundation
import Graph

/// Reads the JSON file of an output (a node's own or an upstream's) into a `Decodable` description.
enum ArtifactJSON {
    /// Decodes `url`; a failure names the file, says what it should be (`expected`) and why it is not in words
    /// (`No such file or directory`, `missing field 'root'`), never Foundation's `Error Domain=…` dump.
    static func decode<T: Decodable>(_ type: T.Type, from url: URL, expected: String) throws -> T {
        try decode(type, from: url, data: nil, expected: expected)
    }

    /// Decodes `data` read from `url` (or the file itself when `data` is nil).
    static func decode<T: Decodable>(_ type: T.Type, from url: URL, data: Data?, expected: String) throws -> T {
        let bytes: Data
        do { bytes = try data ?? Data(contentsOf: url) } catch {
            throw NodeFailure("\(url.path): \(expected): cannot read it: \(GraphError.reason(for: error))")
        }
        do { return try JSONDecoder().decode(type, from: bytes) } catch {
            throw NodeFailure("\(url.path): \(expected): \(GraphError.describe(error))")
        }
    }
}
