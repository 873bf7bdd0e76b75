internal import CZlib
import CecertCore

/// A zlib stream (RFC 1950) assembled from raw deflate parts (RFC 1951) compressed separately.
///
/// Each part but the last ends with a sync flush, which closes its blocks on a byte boundary without marking
/// the last block final, so the parts can be joined. A later part never refers back into an earlier one,
/// because each was compressed from an empty window. This lets the bytes every certificate shares be
/// compressed once and reused.
enum Deflate {
    /// zlib's header for a 32 KiB window and the default compression level.
    static let header: [UInt8] = [0x78, 0x9C]

    /// Compresses `bytes` as raw deflate. A `final` part closes the stream; any other ends with a sync flush.
    /// - Throws: `CecertError(.rendering)` when zlib reports an error.
    static func part(_ bytes: ArraySlice<UInt8>, level: Int32, final: Bool) throws -> [UInt8] {
        var stream = z_stream()
        guard CZlib_deflateInit2(&stream, level, -15) == Z_OK else {
            throw CecertError(.rendering, "zlib could not start a deflate stream")
        }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 16)
        let status = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { buffer in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = UInt32(input.count)
                stream.next_out = buffer.baseAddress
                stream.avail_out = UInt32(buffer.count)
                return deflate(&stream, final ? Z_FINISH : Z_SYNC_FLUSH)
            }
        }
        guard status == (final ? Z_STREAM_END : Z_OK), stream.avail_in == 0 else {
            throw CecertError(.rendering, "zlib could not compress \(bytes.count) bytes (status \(status))")
        }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }

    /// Wraps `bytes` as one stored (uncompressed) raw deflate block that is not final. Short parts cost less
    /// this way than a zlib stream, whose set-up alone clears tens of kilobytes of tables.
    static func stored(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        precondition(bytes.count <= 0xFFFF, "a stored deflate block holds at most 65,535 bytes")
        let length = UInt16(bytes.count)
        var block: [UInt8] = [0, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
        block.append(contentsOf: bytes)
        return block
    }

    /// Computes the Adler-32 checksum that ends a zlib stream.
    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        let value = bytes.withUnsafeBufferPointer { CZlib.adler32(1, $0.baseAddress, UInt32($0.count)) }
        return UInt32(truncatingIfNeeded: value)
    }

    /// Joins parts made by `part` into a zlib stream whose uncompressed content is `original`.
    static func stream(parts: [[UInt8]], original: [UInt8]) -> [UInt8] {
        var result = header
        result.reserveCapacity(parts.reduce(6) { $0 + $1.count })
        for part in parts { result.append(contentsOf: part) }
        let checksum = adler32(original)
        result.append(contentsOf: [
            UInt8(checksum >> 24), UInt8((checksum >> 16) & 0xFF), UInt8((checksum >> 8) & 0xFF),
            UInt8(checksum & 0xFF),
        ])
        return result
    }
}
