import CecertCore
import Foundation
import Testing

@testable import CecertRender

/// The per-certificate TrueType subset, read back with the same parser as the full font.
@Suite struct FontSubsetTests {
    static let font = try! TrueTypeFont(path: Fixture.configuration.fontPath)

    func parse(_ subset: FontSubset, directory: borrowing TemporaryDirectory) throws -> TrueTypeFont {
        try TrueTypeFont(path: try directory.write(subset.bytes, to: "subset-\(UUID().uuidString).ttf"))
    }

    func outline(_ font: TrueTypeFont, _ glyph: UInt16) -> [UInt8] {
        Array(font.data[font.glyphRange(glyph)])
    }

    @Test func glyphsMatchTheOriginalFont() throws {
        let directory = try TemporaryDirectory()
        let text = "张𬌗·阿卜杜热合曼ABC123，（）"
        let scalars = Set(text.unicodeScalars.map(\.value))
        let subset = try FontSubset.make(font: Self.font, scalars: scalars)
        let parsed = try parse(subset, directory: directory)

        #expect(parsed.numberOfGlyphs == scalars.count + 1)
        #expect(parsed.characterToGlyph.count == scalars.count)
        for scalar in scalars {
            let code = try #require(subset.substitutes[scalar])
            let original = try #require(Self.font.characterToGlyph[scalar])
            let copy = try #require(parsed.glyph(for: Unicode.Scalar(code)!))
            let padded =
                outline(Self.font, original)
                + [UInt8](repeating: 0, count: (4 - outline(Self.font, original).count % 4) % 4)
            #expect(outline(parsed, copy) == padded)
            #expect(parsed.advance(of: copy) == Self.font.advance(of: original))
        }
        #expect(subset.codes.map(\.code) == Array(0x0100..<UInt16(0x0100 + scalars.count)))
        #expect(subset.toUnicode.first?.scalar == scalars.min())
    }

    @Test func compositeGlyphKeepsRenumberedComponents() throws {
        let composite = Self.font.characterToGlyph.keys.sorted().first { scalar in
            !CompositeGlyph.components(font: Self.font, glyph: Self.font.characterToGlyph[scalar]!).isEmpty
        }
        let scalar = try #require(composite)
        let directory = try TemporaryDirectory()
        let subset = try FontSubset.make(font: Self.font, scalars: [scalar])
        let parsed = try parse(subset, directory: directory)

        let newGlyph = try #require(parsed.glyph(for: Unicode.Scalar(subset.substitutes[scalar]!)!))
        let oldComponents = CompositeGlyph.components(font: Self.font, glyph: Self.font.characterToGlyph[scalar]!)
        let newComponents = CompositeGlyph.components(font: parsed, glyph: newGlyph)
        #expect(newComponents.count == oldComponents.count)
        #expect(parsed.numberOfGlyphs >= 2 + Set(oldComponents.map(\.glyph)).count)
        for (old, new) in zip(oldComponents, newComponents) {
            #expect(new.glyph != 0)
            #expect(Int(new.glyph) < parsed.numberOfGlyphs)
            #expect(
                outline(parsed, new.glyph).prefix(outline(Self.font, old.glyph).count)[...]
                    == outline(Self.font, old.glyph)[...])
        }
    }
}
