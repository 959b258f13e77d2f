import Foundation

/// A POSIX ustar header block (512 bytes): the member name, size and type. Sizes past the 11 octal digits'
/// 8 GiB use the base-256 form GNU tar reads.
struct TarHeader {
    static let blockSize = 512

    enum Kind { case file, directory, other(UInt8) }

    let name: String
    let size: Int64
    let kind: Kind

    /// The header of a regular file `name` (at most 100 bytes) of `size` bytes.
    static func encode(name: String, size: Int64, mtime: Int64) -> [UInt8] {
        precondition(name.utf8.count <= 100, "tar member name \(name) is longer than 100 bytes")
        var block = [UInt8](repeating: 0, count: blockSize)
        func put(_ text: String, at offset: Int) {
            for (i, b) in text.utf8.enumerated() { block[offset + i] = b }
        }
        func octal(_ value: Int64, at offset: Int, width: Int) {
            put(String(repeating: "0", count: max(0, width - 1 - String(value, radix: 8).count)) + String(value, radix: 8), at: offset)
        }
        put(name, at: 0)
        octal(0o644, at: 100, width: 8)
        octal(0, at: 108, width: 8)
        octal(0, at: 116, width: 8)
        if size < 0o77777777777 {
            octal(size, at: 124, width: 12)
        } else {
            block[124] = 0x80
            for i in 0..<8 { block[135 - i] = UInt8(truncatingIfNeeded: size >> (8 * Int64(i))) }
        }
        octal(mtime, at: 136, width: 12)
        block[156] = UInt8(ascii: "0")
        put("ustar\u{0}00", at: 257)
        for i in 148..<156 { block[i] = 0x20 }
        let sum = block.reduce(0) { $0 + Int($1) }
        octal(Int64(sum), at: 148, width: 7)
        block[155] = 0x20
        return block
    }

    /// Reads a header block; nil for an all-zero block (the end of the archive). Throws why a block is not a
    /// ustar header, naming the archive `location`.
    static func decode(_ block: [UInt8], location: String) throws(GraphError) -> TarHeader? {
        precondition(block.count == blockSize)
        if block.allSatisfy({ $0 == 0 }) { return nil }
        var sum = 0
        for (i, b) in block.enumerated() { sum += (148..<156).contains(i) ? 0x20 : Int(b) }
        guard let recorded = octal(block, 148, 8), recorded == sum else { throw GraphError.remote(location: location, reason: "a header's checksum does not match (not a tar archive, or damaged)") }
        func string(_ offset: Int, _ width: Int) -> String {
            let bytes = block[offset..<offset + width].prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
        var name = string(0, 100)
        if string(257, 5) == "ustar" {
            let prefix = string(345, 155)
            if !prefix.isEmpty { name = prefix + "/" + name }
        }
        let size: Int64
        if block[124] & 0x80 != 0 {
            size = block[125..<136].reduce(Int64(0)) { $0 << 8 | Int64($1) }
        } else if let s = octal(block, 124, 12) {
            size = Int64(s)
        } else {
            throw GraphError.remote(location: location, reason: "member \(name): unreadable size")
        }
        let type = block[156]
        let kind: Kind = type == UInt8(ascii: "0") || type == 0 ? .file : type == UInt8(ascii: "5") ? .directory : .other(type)
        return TarHeader(name: name, size: size, kind: kind)
    }

    private static func octal(_ block: [UInt8], _ offset: Int, _ width: Int) -> Int? {
        var value = 0
        var any = false
        for b in block[offset..<offset + width] {
            if b == 0 || b == 0x20 { if any { break } else { continue } }
            guard (0x30...0x37).contains(b) else { return nil }
            value = value * 8 + Int(b - 0x30)
            any = true
        }
        return any ? value : nil
    }
}
