import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Detects and decodes the text encodings that spreadsheet exports use: UTF-8 with or without a
/// byte order mark, and GB18030 as Excel writes it on Chinese Windows.
public enum TextEncoding: String, Sendable {
    case utf8 = "UTF-8"
    case gb18030 = "GB18030"

    /// Decodes `bytes` without a flag: valid UTF-8 is UTF-8 (a leading BOM is dropped), anything else
    /// is tried as GB18030.
    /// - Returns: the text and the encoding it was read as.
    /// - Throws: `CecertError(.invalidInput)` when the bytes are neither UTF-8 nor GB18030.
    public static func decode(_ bytes: [UInt8]) throws -> (text: String, encoding: TextEncoding) {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        if let text = String(validating: body, as: UTF8.self) {
            return (text, .utf8)
        }
        return (try convertGB18030(Array(bytes)), .gb18030)
    }

    /// Converts GB18030 bytes to a string with glibc's iconv.
    /// - Throws: `CecertError(.invalidInput)` naming the byte offset of the first invalid sequence.
    static func convertGB18030(_ bytes: [UInt8]) throws -> String {
        let converter = iconv_open("UTF-8", "GB18030")
        guard converter != iconv_t(bitPattern: -1) else {
            throw CecertError(.configuration, "iconv cannot convert GB18030 on this system")
        }
        defer { iconv_close(converter) }

        // GB18030 needs at least one byte per character and UTF-8 at most four.
        var output = [UInt8](repeating: 0, count: bytes.count * 4 + 4)
        var input = bytes.map { CChar(bitPattern: $0) }
        let produced: Int = try input.withUnsafeMutableBufferPointer { inputBuffer in
            try output.withUnsafeMutableBufferPointer { outputBuffer in
                var inPointer: UnsafeMutablePointer<CChar>? = inputBuffer.baseAddress
                var inLeft = inputBuffer.count
                var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outputBuffer.baseAddress!)
                    .assumingMemoryBound(to: CChar.self)
                var outLeft = outputBuffer.count
                let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                guard result != -1, inLeft == 0 else {
                    let offset = inputBuffer.count - inLeft
                    throw CecertError(.invalidInput, "the file is neither UTF-8 nor GB18030: invalid byte sequence at offset \(offset); save it as CSV UTF-8 and try again")
                }
                return outputBuffer.count - outLeft
            }
        }
        return String(decoding: output[..<produced], as: UTF8.self)
    }
}
