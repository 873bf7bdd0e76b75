internal import CQRencode
import CecertCore
import Foundation

/// A QR code's modules copied out of libqrencode: `width` × `width` booleans, row by row, true for dark.
struct QRSymbol: Sendable, Equatable {
    let width: Int
    let version: Int
    let modules: [Bool]

    /// Encodes `text` at error correction level M, letting libqrencode choose modes case-sensitively so that an
    /// upper-case code can use alphanumeric mode.
    /// - Throws: `CecertError(.rendering)` when libqrencode fails, for example when the text is too long.
    static func make(encoding text: String) throws -> QRSymbol {
        try withQRCode(encoding: text) { code in
            let width = Int(code.pointee.width)
            let data = code.pointee.data!
            // Bit 0 of each libqrencode byte is the module colour; the other bits describe its function.
            let modules = (0..<(width * width)).map { data[$0] & 1 == 1 }
            return QRSymbol(width: width, version: Int(code.pointee.version), modules: modules)
        }
    }

    /// Lends the libqrencode result to `body` and frees it afterwards, whatever `body` does.
    static func withQRCode<Result>(
        encoding text: String,
        _ body: (UnsafeMutablePointer<QRcode>) throws -> Result
    ) throws -> Result {
        guard let code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1) else {
            throw CecertError(.rendering, "libqrencode could not encode the verify URL (errno \(errno)): \(text)")
        }
        defer { QRcode_free(code) }
        return try body(code)
    }

    func isDark(row: Int, column: Int) -> Bool {
        modules[row * width + column]
    }

    /// Horizontal runs of dark modules as (row, first column, length), so each run is one filled rectangle.
    var darkRuns: [(row: Int, column: Int, length: Int)] {
        var runs: [(row: Int, column: Int, length: Int)] = []
        for row in 0..<width {
            var column = 0
            while column < width {
                guard isDark(row: row, column: column) else {
                    column += 1
                    continue
                }
                let start = column
                while column < width, isDark(row: row, column: column) { column += 1 }
                runs.append((row, start, column - start))
            }
        }
        return runs
    }
}
