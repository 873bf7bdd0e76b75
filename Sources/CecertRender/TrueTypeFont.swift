import CecertCore
import Foundation

/// A glyf-based TrueType font parsed once: its table directory, `loca`, `hmtx` and the full Unicode `cmap`,
/// including the characters above U+FFFF from a format 12 subtable.
///
/// The value is immutable after `init`, so one instance can be shared by every renderer in the process.
final class TrueTypeFont: Sendable {
    struct Table: Sendable {
        let offset: Int
        let length: Int
    }

    /// The whole font file.
    let data: [UInt8]
    let path: String
    let tables: [String: Table]
    let unitsPerEm: Int
    /// The `hhea` ascender and descender in font units; the descender is negative.
    let ascender: Int
    let descender: Int
    let numberOfGlyphs: Int
    /// Byte offsets into `glyf`, one more than there are glyphs.
    let glyphOffsets: [UInt32]
    /// The offset of the `glyf` table in `data`.
    let glyphTableOffset: Int
    let advanceWidths: [UInt16]
    let leftSideBearings: [Int16]
    /// Unicode scalar value to glyph id, for every mapped character except those mapped to glyph 0.
    let characterToGlyph: [UInt32: UInt16]
    /// The PostScript name (name id 6), used as the base font name in the PDF.
    let postScriptName: String

    /// Reads and parses the font file.
    /// - Throws: `CecertError(.configuration)` naming the file when it is missing, unreadable or not a glyf font.
    init(path: String) throws {
        guard let contents = FileManager.default.contents(atPath: path) else {
            throw CecertError(.configuration, "font file \(path) is missing or unreadable")
        }
        self.path = path
        self.data = [UInt8](contents)
        let reader = ByteReader(data: data, path: path)
        self.tables = try TrueTypeFont.readTableDirectory(reader)
        for tag in ["head", "hhea", "maxp", "hmtx", "loca", "glyf", "cmap", "OS/2", "post"]
        where tables[tag] == nil {
            throw CecertError(
                .configuration, "font file \(path) has no '\(tag)' table (a glyf TrueType font is required)")
        }
        let head = tables["head"]!
        unitsPerEm = Int(try reader.uint16(at: head.offset + 18))
        let longOffsets = try reader.int16(at: head.offset + 50) == 1
        numberOfGlyphs = Int(try reader.uint16(at: tables["maxp"]!.offset + 4))
        glyphOffsets = try TrueTypeFont.readLoca(
            reader, table: tables["loca"]!, count: numberOfGlyphs,
            longOffsets: longOffsets)
        glyphTableOffset = tables["glyf"]!.offset
        ascender = Int(try reader.int16(at: tables["hhea"]!.offset + 4))
        descender = Int(try reader.int16(at: tables["hhea"]!.offset + 6))
        let metricCount = Int(try reader.uint16(at: tables["hhea"]!.offset + 34))
        (advanceWidths, leftSideBearings) = try TrueTypeFont.readMetrics(
            reader, table: tables["hmtx"]!, metricCount: metricCount, glyphCount: numberOfGlyphs)
        characterToGlyph = try TrueTypeFont.readCharacterMap(reader, table: tables["cmap"]!)
        postScriptName = (try? TrueTypeFont.readPostScriptName(reader, table: tables["name"])) ?? "CecertFont"
        guard unitsPerEm > 0, glyphOffsets.last.map({ Int($0) <= tables["glyf"]!.length }) == true else {
            throw CecertError(.configuration, "font file \(path) has an invalid 'head' or 'loca' table")
        }
    }

    /// Returns the glyph id for a Unicode scalar, or nil when the font cannot draw it.
    func glyph(for scalar: Unicode.Scalar) -> UInt16? {
        characterToGlyph[scalar.value]
    }

    /// Returns the advance width of a glyph in font units.
    func advance(of glyph: UInt16) -> Int {
        Int(advanceWidths[Int(glyph)])
    }

    /// Returns the byte range of one glyph's outline in `data`, which is empty for a glyph without contours.
    func glyphRange(_ glyph: UInt16) -> Range<Int> {
        let base = glyphTableOffset
        return (base + Int(glyphOffsets[Int(glyph)]))..<(base + Int(glyphOffsets[Int(glyph) + 1]))
    }
}

// MARK: - Table parsing

extension TrueTypeFont {
    static func readTableDirectory(_ reader: ByteReader) throws -> [String: Table] {
        let version = try reader.uint32(at: 0)
        guard version == 0x0001_0000 || version == 0x7472_7565 else {
            throw reader.invalid("is not a TrueType font (sfnt version \(String(version, radix: 16)))")
        }
        let count = Int(try reader.uint16(at: 4))
        var tables: [String: Table] = [:]
        for index in 0..<count {
            let record = 12 + 16 * index
            let tag = String(decoding: try reader.bytes(at: record, count: 4), as: UTF8.self)
            let offset = Int(try reader.uint32(at: record + 8))
            let length = Int(try reader.uint32(at: record + 12))
            guard offset + length <= reader.data.count else { throw reader.invalid("table '\(tag)' lies past the end") }
            tables[tag] = Table(offset: offset, length: length)
        }
        return tables
    }

    static func readLoca(_ reader: ByteReader, table: Table, count: Int, longOffsets: Bool) throws -> [UInt32] {
        var offsets = [UInt32]()
        offsets.reserveCapacity(count + 1)
        for index in 0...count {
            if longOffsets {
                offsets.append(try reader.uint32(at: table.offset + 4 * index))
            } else {
                offsets.append(UInt32(try reader.uint16(at: table.offset + 2 * index)) * 2)
            }
        }
        return offsets
    }

    static func readMetrics(
        _ reader: ByteReader, table: Table, metricCount: Int,
        glyphCount: Int
    ) throws -> ([UInt16], [Int16]) {
        guard metricCount >= 1, metricCount <= glyphCount else { throw reader.invalid("has an invalid 'hhea' table") }
        var advances = [UInt16](repeating: 0, count: glyphCount)
        var bearings = [Int16](repeating: 0, count: glyphCount)
        for index in 0..<glyphCount {
            if index < metricCount {
                advances[index] = try reader.uint16(at: table.offset + 4 * index)
                bearings[index] = try reader.int16(at: table.offset + 4 * index + 2)
            } else {
                advances[index] = advances[metricCount - 1]
                bearings[index] = try reader.int16(at: table.offset + 4 * metricCount + 2 * (index - metricCount))
            }
        }
        return (advances, bearings)
    }

    /// Reads every Unicode subtable: format 4 for the BMP and format 12 for the full range.
    static func readCharacterMap(_ reader: ByteReader, table: Table) throws -> [UInt32: UInt16] {
        var map: [UInt32: UInt16] = [:]
        let count = Int(try reader.uint16(at: table.offset + 2))
        for index in 0..<count {
            let record = table.offset + 4 + 8 * index
            let platform = try reader.uint16(at: record)
            let encoding = try reader.uint16(at: record + 2)
            let isUnicode = platform == 0 || (platform == 3 && (encoding == 1 || encoding == 10))
            guard isUnicode else { continue }
            let subtable = table.offset + Int(try reader.uint32(at: record + 4))
            switch try reader.uint16(at: subtable) {
            case 4: try readFormat4(reader, at: subtable, into: &map)
            case 12: try readFormat12(reader, at: subtable, into: &map)
            default: continue
            }
        }
        guard !map.isEmpty else { throw reader.invalid("has no Unicode 'cmap' subtable of format 4 or 12") }
        return map
    }

    static func readFormat4(_ reader: ByteReader, at start: Int, into map: inout [UInt32: UInt16]) throws {
        let segmentCount = Int(try reader.uint16(at: start + 6)) / 2
        let ends = start + 14
        let starts = ends + 2 * segmentCount + 2
        let deltas = starts + 2 * segmentCount
        let rangeOffsets = deltas + 2 * segmentCount
        for segment in 0..<segmentCount {
            let end = Int(try reader.uint16(at: ends + 2 * segment))
            let first = Int(try reader.uint16(at: starts + 2 * segment))
            let delta = Int(try reader.uint16(at: deltas + 2 * segment))
            let rangeOffsetPosition = rangeOffsets + 2 * segment
            let rangeOffset = Int(try reader.uint16(at: rangeOffsetPosition))
            guard first <= end, first != 0xFFFF else { continue }
            for code in first...end {
                var glyph: Int
                if rangeOffset == 0 {
                    glyph = (code + delta) & 0xFFFF
                } else {
                    let position = rangeOffsetPosition + rangeOffset + 2 * (code - first)
                    glyph = Int(try reader.uint16(at: position))
                    if glyph != 0 { glyph = (glyph + delta) & 0xFFFF }
                }
                if glyph != 0 { map[UInt32(code)] = UInt16(glyph) }
            }
        }
    }

    static func readFormat12(_ reader: ByteReader, at start: Int, into map: inout [UInt32: UInt16]) throws {
        let groupCount = Int(try reader.uint32(at: start + 12))
        for group in 0..<groupCount {
            let record = start + 16 + 12 * group
            let first = try reader.uint32(at: record)
            let last = try reader.uint32(at: record + 4)
            let firstGlyph = try reader.uint32(at: record + 8)
            guard first <= last, last <= 0x10FFFF else { throw reader.invalid("has an invalid cmap format 12 group") }
            for code in first...last {
                let glyph = firstGlyph + (code - first)
                if glyph != 0 && glyph <= 0xFFFF { map[code] = UInt16(glyph) }
            }
        }
    }

    static func readPostScriptName(_ reader: ByteReader, table: Table?) throws -> String? {
        guard let table else { return nil }
        let count = Int(try reader.uint16(at: table.offset + 2))
        let storage = table.offset + Int(try reader.uint16(at: table.offset + 4))
        for index in 0..<count {
            let record = table.offset + 6 + 12 * index
            let platform = try reader.uint16(at: record)
            guard try reader.uint16(at: record + 6) == 6 else { continue }
            let length = Int(try reader.uint16(at: record + 8))
            let bytes = try reader.bytes(at: storage + Int(try reader.uint16(at: record + 10)), count: length)
            let name =
                platform == 1
                ? String(decoding: bytes, as: UTF8.self)
                : String(
                    decoding: stride(from: 0, to: length - 1, by: 2).map {
                        UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1])
                    },
                    as: UTF16.self)
            let safe = name.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 0x20 && $0 != "/" }
            if safe && !name.isEmpty { return name }
        }
        return nil
    }
}

/// Big-endian reads with bounds checks that name the file in their error.
struct ByteReader {
    let data: [UInt8]
    let path: String

    func invalid(_ problem: String) -> CecertError {
        CecertError(.configuration, "font file \(path) \(problem)")
    }

    func uint16(at offset: Int) throws -> UInt16 {
        guard offset >= 0, offset + 2 <= data.count else { throw invalid("is truncated at byte \(offset)") }
        return UInt16(data[offset]) << 8 | UInt16(data[offset + 1])
    }

    func int16(at offset: Int) throws -> Int16 {
        Int16(bitPattern: try uint16(at: offset))
    }

    func uint32(at offset: Int) throws -> UInt32 {
        guard offset >= 0, offset + 4 <= data.count else { throw invalid("is truncated at byte \(offset)") }
        return UInt32(data[offset]) << 24 | UInt32(data[offset + 1]) << 16 | UInt32(data[offset + 2]) << 8
            | UInt32(data[offset + 3])
    }

    func bytes(at offset: Int, count: Int) throws -> ArraySlice<UInt8> {
        guard offset >= 0, count >= 0, offset + count <= data.count else {
            throw invalid("is truncated at byte \(offset)")
        }
        return data[offset..<(offset + count)]
    }
}
