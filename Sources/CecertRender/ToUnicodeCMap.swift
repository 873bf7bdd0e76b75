/// The text of a ToUnicode CMap for two-byte codes (PDF 1.7, 9.10.3), written as `bfchar` blocks.
enum ToUnicodeCMap {
    /// A `beginbfchar` block may hold at most 100 entries.
    static let entriesPerBlock = 100

    static func make(_ mappings: [(code: UInt16, scalar: UInt32)]) -> String {
        var text = """
            /CIDInit /ProcSet findresource begin
            12 dict begin
            begincmap
            /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
            /CMapName /Adobe-Identity-UCS def
            /CMapType 2 def
            1 begincodespacerange
            <0000> <FFFF>
            endcodespacerange

            """
        // The entries are written as bytes: building them from formatted strings took about 0.7 M
        // instructions per certificate (callgrind), more than the rest of the font set-up in Swift.
        var bytes = [UInt8]()
        bytes.reserveCapacity(mappings.count * 22 + 64)
        var start = 0
        while start < mappings.count {
            let block = mappings[start..<min(start + entriesPerBlock, mappings.count)]
            bytes.append(contentsOf: "\(block.count) beginbfchar\n".utf8)
            for mapping in block {
                bytes.append(UInt8(ascii: "<"))
                appendHex(mapping.code, to: &bytes)
                bytes.append(contentsOf: "> <".utf8)
                if let value = Unicode.Scalar(mapping.scalar) {
                    for unit in String(value).utf16 { appendHex(unit, to: &bytes) }
                } else {
                    bytes.append(contentsOf: "FFFD".utf8)
                }
                bytes.append(contentsOf: ">\n".utf8)
            }
            bytes.append(contentsOf: "endbfchar\n".utf8)
            start += entriesPerBlock
        }
        text += String(decoding: bytes, as: UTF8.self)
        text += "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
        return text
    }

    /// Appends four upper-case hex digits.
    static func appendHex(_ value: UInt16, to bytes: inout [UInt8]) {
        for shift in stride(from: 12, through: 0, by: -4) {
            let digit = UInt8((value >> UInt16(shift)) & 0xF)
            bytes.append(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "A") + digit - 10)
        }
    }
}
