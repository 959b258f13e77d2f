import Foundation

/// A safetensors file (the format of PyTorch and Hugging Face): 8-byte little-endian header length,
/// a JSON header `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}`,
/// then the raw little-endian tensor bytes. https://github.com/huggingface/safetensors
public struct SafetensorsFile: Sendable {
    /// One stored tensor: its dtype name (`F32`, `I64`, …), shape and raw bytes.
    public struct Entry: Sendable {
        public let dtype: String
        public let shape: [Int]
        let bytes: Data
    }

    /// Free-form string metadata of the header's `__metadata__` object.
    public var metadata: [String: String]
    /// Tensors by name.
    public var entries: [String: Entry]
    /// Where the bytes came from, for error messages.
    public let source: String

    private static let byteWidth = ["F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1,
                                    "U8": 1, "BOOL": 1]

    /// Reads and validates a file.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CoreError.io(file: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
        try self.init(data: data, source: url.path)
    }

    /// Parses and validates `data`; `source` names it in errors.
    public init(data: Data, source: String) throws {
        self.source = source
        func bad(_ reason: String) -> CoreError { .malformedFile(file: source, reason: reason) }
        guard data.count >= 8 else { throw bad("shorter than the 8-byte header length") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw bad("header length \(headerLength) exceeds the file's \(data.count - 8) remaining bytes")
        }
        let start = data.startIndex + 8, dataStart = start + Int(headerLength)
        guard let json = try? JSONSerialization.jsonObject(with: data[start..<dataStart]),
              let header = json as? [String: Any] else { throw bad("header is not a JSON object") }
        var metadata: [String: String] = [:]
        var entries: [String: Entry] = [:]
        let available = data.count - 8 - Int(headerLength)
        for (name, value) in header {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else { throw bad("__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw bad("metadata '\(k)' is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shapeValues = info["shape"] as? [Any], let offsetValues = info["data_offsets"] as? [Any],
                  offsetValues.count == 2 else { throw bad("tensor '\(name)' lacks dtype, shape or data_offsets") }
            let shape = try shapeValues.map { v -> Int in
                guard let i = Self.integer(v), i >= 0 else { throw bad("tensor '\(name)' has a bad shape") }
                return i
            }
            guard let begin = Self.integer(offsetValues[0]), let end = Self.integer(offsetValues[1]),
                  begin >= 0, begin <= end, end <= available else {
                throw bad("tensor '\(name)' has data_offsets outside the \(available) data bytes")
            }
            guard let width = Self.byteWidth[dtype] else {
                throw CoreError.unsupportedDType(tensor: name, dtype: dtype, file: source)
            }
            guard end - begin == shape.reduce(1, *) * width else {
                throw bad("tensor '\(name)' has \(end - begin) bytes for shape \(shape) of \(dtype)")
            }
            entries[name] = Entry(dtype: dtype, shape: shape, bytes: data[(dataStart + begin)..<(dataStart + end)])
        }
        self.metadata = metadata
        self.entries = entries
    }

    private static func integer(_ v: Any) -> Int? {
        if let i = v as? Int { return i }
        if let n = v as? NSNumber { return n.intValue }
        return nil
    }

    /// Tensor names, sorted.
    public var names: [String] { entries.keys.sorted() }

    /// The tensor `name` converted to float32 (from F32, F64, I64 or I32).
    public func tensor(_ name: String) throws -> Tensor {
        guard let e = entries[name] else { throw CoreError.missingTensor(tensor: name, file: source) }
        let count = e.shape.reduce(1, *)
        let values: [Float] = try e.bytes.withUnsafeBytes { raw in
            switch e.dtype {
            case "F32": return (0..<count).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) }
            case "F64": return (0..<count).map { Float(raw.loadUnaligned(fromByteOffset: 8 * $0, as: Double.self)) }
            case "I64": return (0..<count).map { Float(raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
            case "I32": return (0..<count).map { Float(raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)) }
            default: throw CoreError.unsupportedDType(tensor: name, dtype: e.dtype, file: source)
            }
        }
        return Tensor(shape: e.shape, data: values)
    }

    /// The integer tensor `name` (I64 or I32) as Ints.
    public func integers(_ name: String) throws -> [Int] {
        guard let e = entries[name] else { throw CoreError.missingTensor(tensor: name, file: source) }
        let count = e.shape.reduce(1, *)
        return try e.bytes.withUnsafeBytes { raw in
            switch e.dtype {
            case "I64": return (0..<count).map { Int(raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
            case "I32": return (0..<count).map { Int(raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)) }
            default: throw CoreError.unsupportedDType(tensor: name, dtype: e.dtype, file: source)
            }
        }
    }

    /// Encodes float32 tensors (in the given order) and string metadata as a safetensors file.
    public static func encode(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]) -> Data {
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(quote($0)):\(quote(metadata[$0]!))" }
            fields.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for (name, t) in tensors {
            let bytes = t.count * 4
            fields.append("\(quote(name)):{\"dtype\":\"F32\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],"
                + "\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        var header = Array(("{" + fields.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var out = Data(capacity: 8 + header.count + offset)
        var length = UInt64(header.count).littleEndian
        withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for (_, t) in tensors { t.data.withUnsafeBytes { out.append(contentsOf: $0) } }
        return out
    }

    /// Writes `encode(tensors, metadata)` to `url` atomically.
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to url: URL) throws {
        do { try encode(tensors, metadata: metadata).write(to: url, options: .atomic) } catch {
            throw CoreError.io(file: url.path, reason: "cannot write: \(error.localizedDescription)")
        }
    }

    private static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
