import CecertCore

/// A TrueType font holding only the glyphs one certificate prints, renumbered from 1 with glyph 0 kept.
///
/// libharu 2.3.0 embeds the font's whole `cmap`, `loca` and `hmtx` and reads only the BMP part of a `cmap`,
/// so every PDF would carry about 300 KB of tables, and characters above U+FFFF would print as spaces.
/// A subset built here avoids both. Its format 4 `cmap` maps consecutive stand-in codes, from U+0100 upwards
/// in code point order of the printed characters, to their glyphs. The page text is written in those codes,
/// which libharu's UTF-8 encoder turns into equal CIDs, and the ToUnicode CMap maps them back to the printed
/// characters. Consecutive codes keep the `cmap` at one segment. That matters because libharu looks up all
/// 65,536 codes with a linear scan over the segments when it creates the font, which took about 2 ms per
/// certificate in a profile with one segment per run of printed characters. Low codes keep the CIDToGIDMap stream short.
struct FontSubset {
    /// The font file bytes.
    let bytes: [UInt8]
    /// The stand-in code for each printed scalar.
    let substitutes: [UInt32: UInt16]
    /// The subset's glyph id for each stand-in code, ordered by code.
    let codes: [(code: UInt16, glyph: UInt16)]
    /// The font file compressed for the PDF's FontFile2 stream, when the subset was built on shared glyphs.
    /// Without shared glyphs libharu compresses the file itself.
    var program: [UInt8]? = nil

    /// Each stand-in code and the character it prints, ordered by code.
    var toUnicode: [(code: UInt16, scalar: UInt32)] {
        substitutes.map { (code: $0.value, scalar: $0.key) }.sorted { $0.code < $1.code }
    }

    /// The first stand-in code. Codes below U+0100 are avoided so that none is a control character or the
    /// single-byte space, to which PDF word spacing would apply.
    static let firstCode: UInt32 = 0x0100
    /// The codes must stay below the UTF-16 surrogates, which are not Unicode scalars.
    static let lastCode: UInt32 = 0xD7FF

    /// Builds a subset for `scalars`, which must all be in the font (checked by the caller).
    /// - Throws: `CecertError(.rendering)` when there are more distinct characters than stand-in codes.
    static func make(font: TrueTypeFont, scalars: Set<UInt32>) throws -> FontSubset {
        try checkCount(scalars.count, of: "a certificate may print")
        var substitutes: [UInt32: UInt16] = [:]
        var codes: [(code: UInt16, glyph: UInt16)] = []
        var glyphs = GlyphSet(font: font)
        assignCodes(to: scalars.sorted(), from: 0, substitutes: &substitutes, codes: &codes, glyphs: &glyphs)
        glyphs.addComponents()

        let bytes = SubsetWriter(font: font, glyphs: glyphs, codes: codes).write()
        return FontSubset(bytes: bytes, substitutes: substitutes, codes: codes)
    }

    /// Builds a subset that starts with `shared`, the glyphs every certificate of a template embeds, and adds
    /// the other characters in `scalars`, which must all be in the font.
    ///
    /// The shared characters take the first stand-in codes and glyph ids, and their glyph data comes first in
    /// the file, right after the table directory, so those bytes are the same in every subset and their
    /// compressed form is reused. Only the directory and the rest of the file are compressed here.
    /// The output depends on the compression levels below: changing one changes the bytes of every
    /// certificate, so it needs a new template version.
    /// - Throws: `CecertError(.rendering)` when there are more distinct characters than stand-in codes, or
    ///   zlib fails.
    static func make(font: TrueTypeFont, scalars: Set<UInt32>, shared: SharedGlyphs) throws -> FontSubset {
        let others = scalars.subtracting(shared.scalarSet).sorted()
        try checkCount(shared.scalars.count + others.count, of: "a certificate may print")
        var substitutes = shared.substitutes
        var codes = shared.codes
        var glyphs = shared.glyphs
        assignCodes(to: others, from: shared.scalars.count, substitutes: &substitutes, codes: &codes, glyphs: &glyphs)
        glyphs.addComponents(from: shared.glyphs.oldGlyphs.count)

        let writer = SubsetWriter(font: font, glyphs: glyphs, codes: codes, shared: shared)
        let bytes = writer.write()
        let sharedStart = writer.directoryLength
        let sharedEnd = sharedStart + shared.glyphData.count
        let program = Deflate.stream(
            parts: [
                Deflate.stored(bytes[..<sharedStart]), shared.compressed,
                try Deflate.part(bytes[sharedEnd...], level: restLevel, final: true),
            ], original: bytes)
        return FontSubset(bytes: bytes, substitutes: substitutes, codes: codes, program: program)
    }

    /// Gives `scalars`, in order, the stand-in codes from number `index` on, and adds their glyphs.
    static func assignCodes(to scalars: [UInt32], from index: Int, substitutes: inout [UInt32: UInt16],
                            codes: inout [(code: UInt16, glyph: UInt16)], glyphs: inout GlyphSet) {
        for (offset, scalar) in scalars.enumerated() {
            let code = UInt16(firstCode + UInt32(index + offset))
            substitutes[scalar] = code
            codes.append((code, glyphs.add(glyphs.font.characterToGlyph[scalar] ?? 0)))
        }
    }

    /// - Throws: `CecertError(.rendering)` when `count` characters need more stand-in codes than there are.
    static func checkCount(_ count: Int, of what: String) throws {
        let available = Int(lastCode - firstCode) + 1
        guard count <= available else {
            throw CecertError(.rendering, "\(what) at most \(available) distinct characters")
        }
    }

    /// zlib level for the part of a subset that differs between certificates.
    static let restLevel: Int32 = 1
    /// zlib level for the shared glyph data, compressed once per template.
    static let sharedLevel: Int32 = 9
}

/// The glyphs of the characters every certificate of a template prints or may print: its fixed text and the
/// characters it declares in `sharedCharacters`. Built once per renderer and template.
struct SharedGlyphs {
    /// The characters in code point order; the first stand-in code goes to the first.
    let scalars: [UInt32]
    let scalarSet: Set<UInt32>
    let substitutes: [UInt32: UInt16]
    let codes: [(code: UInt16, glyph: UInt16)]
    /// Glyph 0, one glyph per character, then the components of composite glyphs.
    let glyphs: GlyphSet
    /// Their glyph data as it starts the subset's `glyf` table, each glyph padded to four bytes.
    let glyphData: [UInt8]
    /// The `loca` offset of each of those glyphs.
    let offsets: [UInt32]
    /// `glyphData` as a raw deflate part that ends with a sync flush.
    let compressed: [UInt8]

    /// - Throws: `CecertError(.rendering)` when there are more characters than stand-in codes, or zlib fails.
    init(font: TrueTypeFont, scalars: [UInt32]) throws {
        try FontSubset.checkCount(scalars.count, of: "a template may share")
        self.scalars = scalars
        scalarSet = Set(scalars)
        var glyphs = GlyphSet(font: font)
        var substitutes: [UInt32: UInt16] = [:]
        var codes: [(code: UInt16, glyph: UInt16)] = []
        FontSubset.assignCodes(to: scalars, from: 0, substitutes: &substitutes, codes: &codes, glyphs: &glyphs)
        glyphs.addComponents()
        self.substitutes = substitutes
        self.codes = codes
        self.glyphs = glyphs
        var data = [UInt8]()
        var offsets: [UInt32] = []
        SubsetWriter.appendGlyphs(font: font, glyphs: glyphs, from: 0, to: &data, offsets: &offsets)
        glyphData = data
        self.offsets = offsets
        compressed = try Deflate.part(data[...], level: FontSubset.sharedLevel, final: false)
    }
}

/// The old glyph ids kept in a subset, in new-id order, with composite glyphs' components added.
struct GlyphSet {
    let font: TrueTypeFont
    private(set) var oldGlyphs: [UInt16] = [0]
    private(set) var newIDs: [UInt16: UInt16] = [0: 0]

    init(font: TrueTypeFont) {
        self.font = font
    }

    mutating func add(_ old: UInt16) -> UInt16 {
        if let existing = newIDs[old] { return existing }
        let new = UInt16(oldGlyphs.count)
        newIDs[old] = new
        oldGlyphs.append(old)
        return new
    }

    /// Appends every component of each composite glyph from index `start` on, including components of
    /// components.
    mutating func addComponents(from start: Int = 0) {
        var index = start
        while index < oldGlyphs.count {
            for component in CompositeGlyph.components(font: font, glyph: oldGlyphs[index]) {
                _ = add(component.glyph)
            }
            index += 1
        }
    }
}

/// Reading and renumbering the component records of a composite glyph.
enum CompositeGlyph {
    static let argumentsAreWords: UInt16 = 0x0001
    static let hasScale: UInt16 = 0x0008
    static let moreComponents: UInt16 = 0x0020
    static let hasXYScale: UInt16 = 0x0040
    static let hasTwoByTwo: UInt16 = 0x0080

    /// Lists the component glyph ids and the byte offset of each id within `font.data`.
    static func components(font: TrueTypeFont, glyph: UInt16) -> [(glyph: UInt16, offset: Int)] {
        let range = font.glyphRange(glyph)
        let data = font.data
        guard range.count >= 10,
            Int16(bitPattern: UInt16(data[range.lowerBound]) << 8 | UInt16(data[range.lowerBound + 1])) < 0
        else { return [] }
        var result: [(glyph: UInt16, offset: Int)] = []
        var position = range.lowerBound + 10
        while position + 4 <= range.upperBound {
            let flags = UInt16(data[position]) << 8 | UInt16(data[position + 1])
            let component = UInt16(data[position + 2]) << 8 | UInt16(data[position + 3])
            result.append((component, position + 2))
            position += 4 + ((flags & argumentsAreWords) != 0 ? 4 : 2)
            if (flags & hasScale) != 0 {
                position += 2
            } else if (flags & hasXYScale) != 0 {
                position += 4
            } else if (flags & hasTwoByTwo) != 0 {
                position += 8
            }
            if (flags & moreComponents) == 0 { break }
        }
        return result
    }
}

// MARK: - Writing

/// Writes the subset's tables in the tag order libharu also uses when it re-saves the font.
///
/// With shared glyphs, the `glyf` table's data comes first after the directory, starting with the shared
/// glyph data; the other tables follow in tag order. The directory itself always lists the tables by tag.
struct SubsetWriter {
    let font: TrueTypeFont
    let glyphs: GlyphSet
    let codes: [(code: UInt16, glyph: UInt16)]
    var shared: SharedGlyphs? = nil

    static let tableCount = 10
    /// The length of the table directory, which is where the first table's data starts.
    let directoryLength = 12 + 16 * SubsetWriter.tableCount

    func write() -> [UInt8] {
        let (glyf, loca) = makeGlyphTables()
        var tables: [(tag: String, data: [UInt8])] = [
            ("OS/2", copy("OS/2")),
            ("cmap", makeCharacterMap()),
            ("glyf", glyf),
            ("head", makeHead()),
            ("hhea", patch(copy("hhea"), at: 34, with: UInt16(glyphs.oldGlyphs.count))),
            ("hmtx", makeMetrics()),
            ("loca", loca),
            ("maxp", patch(copy("maxp"), at: 4, with: UInt16(glyphs.oldGlyphs.count))),
            ("name", makeNames()),
            ("post", makePost()),
        ]
        tables.sort { $0.tag < $1.tag }
        precondition(tables.count == SubsetWriter.tableCount)
        return assemble(tables, glyphDataFirst: shared != nil)
    }

    private func copy(_ tag: String) -> [UInt8] {
        let table = font.tables[tag]!
        return Array(font.data[table.offset..<(table.offset + table.length)])
    }

    private func patch(_ bytes: [UInt8], at offset: Int, with value: UInt16) -> [UInt8] {
        var result = bytes
        result[offset] = UInt8(value >> 8)
        result[offset + 1] = UInt8(value & 0xFF)
        return result
    }

    /// `head` with a zero checksum adjustment (set by `assemble`) and long `loca` offsets.
    private func makeHead() -> [UInt8] {
        var head = copy("head")
        head.replaceSubrange(8..<12, with: [0, 0, 0, 0])
        return patch(head, at: 50, with: 1)
    }

    private func makeGlyphTables() -> (glyf: [UInt8], loca: [UInt8]) {
        var glyf = shared?.glyphData ?? []
        var offsets = shared?.offsets ?? []
        glyf.reserveCapacity(glyf.count + 8192)
        SubsetWriter.appendGlyphs(
            font: font, glyphs: glyphs, from: shared?.glyphs.oldGlyphs.count ?? 0, to: &glyf, offsets: &offsets)
        var loca = ByteBuffer()
        for offset in offsets { loca.append32(offset) }
        loca.append32(UInt32(glyf.count))
        return (glyf, loca.bytes)
    }

    /// Appends the data of the glyphs from index `start` on to `glyf`, with component ids renumbered and each
    /// glyph padded to four bytes, and appends each glyph's offset to `offsets`.
    static func appendGlyphs(font: TrueTypeFont, glyphs: GlyphSet, from start: Int, to glyf: inout [UInt8],
                             offsets: inout [UInt32]) {
        for old in glyphs.oldGlyphs[start...] {
            offsets.append(UInt32(glyf.count))
            let range = font.glyphRange(old)
            let begin = glyf.count
            glyf.append(contentsOf: font.data[range])
            for component in CompositeGlyph.components(font: font, glyph: old) {
                let new = glyphs.newIDs[component.glyph]!
                let position = begin + (component.offset - range.lowerBound)
                glyf[position] = UInt8(new >> 8)
                glyf[position + 1] = UInt8(new & 0xFF)
            }
            while glyf.count % 4 != 0 { glyf.append(0) }
        }
    }

    private func makeMetrics() -> [UInt8] {
        var hmtx = ByteBuffer()
        for old in glyphs.oldGlyphs {
            hmtx.append16(font.advanceWidths[Int(old)])
            hmtx.append16(UInt16(bitPattern: font.leftSideBearings[Int(old)]))
        }
        return hmtx.bytes
    }

    /// Builds a `cmap` with one format 4 subtable (platform 3, encoding 1). Runs of consecutive codes with
    /// consecutive glyph ids share a segment, so the table stays small.
    private func makeCharacterMap() -> [UInt8] {
        var segments: [(start: UInt16, end: UInt16, delta: UInt16)] = []
        for (code, glyph) in codes {
            if let last = segments.last, last.end &+ 1 == code, last.delta == glyph &- code {
                segments[segments.count - 1].end = code
            } else {
                segments.append((code, code, glyph &- code))
            }
        }
        segments.append((0xFFFF, 0xFFFF, 1))

        let count = segments.count
        var searchRange = 1
        var entrySelector = 0
        while searchRange * 2 <= count {
            searchRange *= 2
            entrySelector += 1
        }
        var table = ByteBuffer()
        table.append16(0)
        table.append16(1)
        table.append16(3)
        table.append16(1)
        table.append32(12)
        table.append16(4)
        table.append16(UInt16(16 + 8 * count))
        table.append16(0)
        table.append16(UInt16(2 * count))
        table.append16(UInt16(2 * searchRange))
        table.append16(UInt16(entrySelector))
        table.append16(UInt16(2 * count - 2 * searchRange))
        for segment in segments { table.append16(segment.end) }
        table.append16(0)  // reservedPad
        for segment in segments { table.append16(segment.start) }
        for segment in segments { table.append16(segment.delta) }
        for _ in segments { table.append16(0) }  // idRangeOffset: every segment uses idDelta
        return table.bytes
    }

    /// Builds a `name` table with the family, style, full and PostScript names in Mac Roman and Windows Unicode
    /// records.
    private func makeNames() -> [UInt8] {
        let name = font.postScriptName
        let entries: [(id: UInt16, text: String)] = [(1, name), (2, "Regular"), (4, name), (6, name)]
        var records = ByteBuffer()
        var storage = ByteBuffer()
        let platforms: [(platform: UInt16, encoding: UInt16, language: UInt16, wide: Bool)] =
            [(1, 0, 0, false), (3, 1, 0x409, true)]
        for platform in platforms {
            for entry in entries {
                let encoded =
                    platform.wide
                    ? entry.text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
                    : Array(entry.text.utf8)
                records.append16(platform.platform)
                records.append16(platform.encoding)
                records.append16(platform.language)
                records.append16(entry.id)
                records.append16(UInt16(encoded.count))
                records.append16(UInt16(storage.bytes.count))
                storage.bytes.append(contentsOf: encoded)
            }
        }
        var table = ByteBuffer()
        let recordCount = platforms.count * entries.count
        table.append16(0)
        table.append16(UInt16(recordCount))
        table.append16(UInt16(6 + 12 * recordCount))
        table.bytes.append(contentsOf: records.bytes)
        table.bytes.append(contentsOf: storage.bytes)
        return table.bytes
    }

    /// `post` version 3, which has no glyph names, keeping the original italic angle and underline metrics.
    private func makePost() -> [UInt8] {
        var post = Array(copy("post").prefix(32))
        post.replaceSubrange(0..<4, with: [0, 3, 0, 0])
        return post
    }

    /// Writes the directory, in tag order, then the tables' data: in tag order, or with `glyf` first.
    private func assemble(_ tables: [(tag: String, data: [UInt8])], glyphDataFirst: Bool) -> [UInt8] {
        var searchRange = 1
        var entrySelector = 0
        while searchRange * 2 <= tables.count {
            searchRange *= 2
            entrySelector += 1
        }
        var file = ByteBuffer()
        file.append32(0x0001_0000)
        file.append16(UInt16(tables.count))
        file.append16(UInt16(16 * searchRange))
        file.append16(UInt16(entrySelector))
        file.append16(UInt16(16 * (tables.count - searchRange)))

        let order = glyphDataFirst ? tables.filter { $0.tag == "glyf" } + tables.filter { $0.tag != "glyf" } : tables
        var offsets: [String: Int] = [:]
        var offset = 12 + 16 * tables.count
        for table in order {
            offsets[table.tag] = offset
            offset += (table.data.count + 3) & ~3
        }
        for table in tables {
            file.bytes.append(contentsOf: Array(table.tag.utf8))
            file.append32(SubsetWriter.checksum(table.data))
            file.append32(UInt32(offsets[table.tag]!))
            file.append32(UInt32(table.data.count))
        }
        let headOffset = offsets["head"]!
        file.bytes.reserveCapacity(offset)

        for table in order {
            file.bytes.append(contentsOf: table.data)
            while file.bytes.count % 4 != 0 { file.bytes.append(0) }
        }

        let adjustment = 0xB1B0_AFBA &- SubsetWriter.checksum(file.bytes)
        file.bytes.replaceSubrange(
            (headOffset + 8)..<(headOffset + 12),
            with: [
                UInt8(adjustment >> 24), UInt8((adjustment >> 16) & 0xFF),
                UInt8((adjustment >> 8) & 0xFF), UInt8(adjustment & 0xFF),
            ])
        return file.bytes
    }

    /// The TrueType checksum: the sum of big-endian 32-bit words, the last one padded with zeros.
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            var sum: UInt32 = 0
            let whole = buffer.count & ~3
            var index = 0
            while index < whole {
                sum = sum &+ (UInt32(buffer[index]) << 24 | UInt32(buffer[index + 1]) << 16
                    | UInt32(buffer[index + 2]) << 8 | UInt32(buffer[index + 3]))
                index += 4
            }
            var last: UInt32 = 0
            for shift in 0..<4 {
                last <<= 8
                if index + shift < buffer.count { last |= UInt32(buffer[index + shift]) }
            }
            return buffer.count > whole ? sum &+ last : sum
        }
    }
}

/// A growable big-endian byte buffer.
struct ByteBuffer {
    var bytes: [UInt8] = []

    mutating func append16(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xFF))
    }

    mutating func append32(_ value: UInt32) {
        append16(UInt16(value >> 16))
        append16(UInt16(value & 0xFFFF))
    }
}
