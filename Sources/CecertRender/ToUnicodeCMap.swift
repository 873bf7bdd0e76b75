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
        var start = 0
        while start < mappings.count {
            let block = mappings[start..<min(start + entriesPerBlock, mappings.count)]
            text += "\(block.count) beginbfchar\n"
            for mapping in block {
                text += "<\(hex(mapping.code))> <\(utf16Hex(mapping.scalar))>\n"
            }
            text += "endbfchar\n"
            start += entriesPerBlock
        }
        text += "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
        return text
    }

    static func hex(_ value: UInt16) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    /// UTF-16BE in hex: one unit in the BMP, a surrogate pair above it.
    static func utf16Hex(_ scalar: UInt32) -> String {
        guard let value = Unicode.Scalar(scalar) else { return "FFFD" }
        return String(value).utf16.map(hex).joined()
    }
}
