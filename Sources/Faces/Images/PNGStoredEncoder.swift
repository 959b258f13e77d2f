/// A PNG writer that stores pixel rows without compression (deflate "stored" blocks, i.e. zlib level 0).
///
/// For throughput-bound writers such as SynthFACS, whose noisy images compress by under 20% while deflate takes
/// as long as rendering them: files are about 20% larger, encoding is a copy plus two checksums.
/// Any PNG decoder (libpng included) reads the result.
enum PNGStoredEncoder {
    /// Encodes interleaved 8-bit H×W×C samples (1 grey, 3 RGB) as a PNG.
    static func encode(_ samples: UnsafeRawBufferPointer, width: Int, height: Int, channels: Int) -> [UInt8] {
        precondition(channels == 1 || channels == 3, "grey or RGB")
        precondition(samples.count == width * height * channels, "sample count must be H×W×C")
        let rowBytes = width * channels
        let rawLength = height * (rowBytes + 1)
        let blocks = max(1, (rawLength + 65534) / 65535)
        var out = [UInt8]()
        out.reserveCapacity(8 + 25 + 12 + 2 + rawLength + 5 * blocks + 4 + 12)
        out += [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

        var header = [UInt8]()
        append32(&header, UInt32(width))
        append32(&header, UInt32(height))
        header += [8, channels == 3 ? 2 : 0, 0, 0, 0]
        chunk(&out, "IHDR", header)

        // The zlib stream: header, stored blocks of the filter-byte-prefixed rows, Adler-32.
        var stream = [UInt8]()
        stream.reserveCapacity(2 + rawLength + 5 * blocks + 4)
        stream += [0x78, 0x01]
        var raw = [UInt8](repeating: 0, count: rawLength)
        raw.withUnsafeMutableBytes { dst in
            for y in 0..<height {
                let target = dst.baseAddress! + y * (rowBytes + 1) + 1
                target.copyMemory(from: samples.baseAddress! + y * rowBytes, byteCount: rowBytes)
            }
        }
        var offset = 0
        repeat {
            let length = min(65535, rawLength - offset)
            let final: UInt8 = offset + length == rawLength ? 1 : 0
            stream += [final, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            stream += raw[offset..<offset + length]
            offset += length
        } while offset < rawLength
        append32(&stream, adler32(raw))
        chunk(&out, "IDAT", stream)
        chunk(&out, "IEND", [])
        return out
    }

    private static func append32(_ bytes: inout [UInt8], _ value: UInt32) {
        bytes += [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    private static func chunk(_ out: inout [UInt8], _ type: String, _ data: [UInt8]) {
        append32(&out, UInt32(data.count))
        let typed = Array(type.utf8) + data
        out += typed
        append32(&out, crc32(typed))
    }

    private static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// CRC-32 as PNG defines it (ISO 3309).
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        crcTable.withUnsafeBufferPointer { table in
            for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        }
        return c ^ 0xFFFF_FFFF
    }

    /// Adler-32 as zlib defines it.
    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var index = 0
        while index < bytes.count {
            // 5552 bytes keep the sums below 2³² before the reduction (zlib's NMAX).
            let end = min(index + 5552, bytes.count)
            for i in index..<end {
                a &+= UInt32(bytes[i])
                b &+= a
            }
            a %= 65521
            b %= 65521
            index = end
        }
        return b << 16 | a
    }
}
