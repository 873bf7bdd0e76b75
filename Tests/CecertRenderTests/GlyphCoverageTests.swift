import CecertCore
import Foundation
import Testing

@testable import CecertRender

/// Every character of the Table of General Standard Chinese Characters (通用规范汉字表, 2013), drawn through the
/// certificate font path and compared cell by cell with FreeType's rendering of the original font file.
///
/// Needs poppler-utils (`pdftoppm`, `pdftotext`) and Pillow for `/usr/bin/python3` (Debian: `python3-pil`).
@Suite struct GlyphCoverageTests {
    /// The character table: code point, character and pinyin per tab-separated line. CI puts a copy of the shared
    /// data folder next to the clone.
    static let tablePath = URL(fileURLWithPath: Fixture.root + "/../shared/data/tongyong-guifan-hanzi.tsv")
        .standardizedFileURL.path
    static let scriptPath = Fixture.root + "/scripts/glyph_reference.py"
    static let python = "/usr/bin/python3"

    /// Raster resolution. At 144 dpi the sheet's 28 pt glyphs are 56 px tall.
    static let dpi = 144.0
    /// The lowest score that counts as the right glyph. Score 1 means every ink pixel of each rendering lies within
    /// 1 px of the other's ink. With poppler 22.12 and Pillow 9.4 every character scored 1.0, and a cell compared
    /// with the next character's reference scored at most 0.972 (腘 against 䐃).
    static let passingScore = 0.99
    /// The largest distance, in pixels on either axis, between the printed and the reference ink box. Measured
    /// offsets were -1 to 1 across and -2 to 0 down, because poppler places the glyph about 1 px higher.
    static let maxOffset = 3

    static let measurement = Result { try SheetMeasurement.make() }

    @Test func tableHasEveryCharacter() throws {
        let table = try CharacterTable.load()

        #expect(table.scalars.count == 8105)
        #expect(Set(table.scalars).count == 8105)
        #expect(table.scalars.filter { $0.value > 0xFFFF }.count == 196)
        #expect(table.scalars.contains("\u{2C317}"))
        #expect(table.scalars.contains("\u{2C029}"))
    }

    @Test func everyCharacterMatchesReference() throws {
        let measurement = try Self.measurement.get()
        print(measurement.summary)

        let failing = measurement.cells.filter { $0.score < Self.passingScore }
        let passing = measurement.cells.count - failing.count
        let message = "\(passing) of 8105 characters match the reference. Failing: \(Self.describe(failing, \.score))"
        #expect(measurement.cells.count == 8105)
        #expect(failing.isEmpty, "\(message)")
    }

    @Test func everyGlyphSitsAtItsPenPosition() throws {
        let cells = try Self.measurement.get().cells

        let misplaced = cells.filter { cell in
            guard let offset = cell.offset else { return true }
            return abs(offset.x) > Self.maxOffset || abs(offset.y) > Self.maxOffset
        }
        let message = "blank or more than \(Self.maxOffset) px from the reference: \(Self.describe(misplaced, \.score))"
        #expect(misplaced.isEmpty, "\(message)")
    }

    /// Scores each printed cell against the next character's reference, which is what a mapping shifted by one
    /// code would print, so the score must reject it. Similar neighbours such as 己 and 已 are included.
    @Test func shiftedMappingIsDetected() throws {
        let cells = try Self.measurement.get().cells

        let undetected = cells.filter { $0.nextScore >= Self.passingScore }
        let message = "wrong glyph passed for: \(Self.describe(undetected, \.nextScore))"
        #expect(cells.count == 8105)
        #expect(undetected.isEmpty, "\(message)")
    }

    @Test func textExtractionReturnsEveryCharacter() throws {
        let extracted = Array(
            try Self.measurement.get().extractedText.unicodeScalars.filter { !$0.properties.isWhitespace })
        let expected = try CharacterTable.load().scalars

        #expect(extracted.count == expected.count)
        let common = min(extracted.count, expected.count)
        if let index = (0..<common).first(where: { extracted[$0] != expected[$0] }) {
            let found = Self.describe(extracted[index])
            Issue.record("pdftotext returned \(found) for cell \(index), expected \(Self.describe(expected[index]))")
        }
    }

    @Test func characterMissingFromFontIsRejected() throws {
        let renderer = try CertificateRenderer(configuration: Fixture.configuration, logger: Fixture.logger)
        let facts = Fixture.facts(holderName: "张\u{20000}")
        let expected = "holder_name: \u{20000} U+20000 is not in the font"

        do {
            try renderer.checkPrintable(facts)
            Issue.record("checkPrintable accepted U+20000")
        } catch let error as CecertError {
            #expect(error.code == .unsupportedCharacter)
            #expect(error.message == expected)
        }
        do {
            _ = try renderer.render(facts)
            Issue.record("render accepted U+20000")
        } catch let error as CecertError {
            #expect(error.code == .unsupportedCharacter)
            #expect(error.message == expected)
        }
    }

    @Test func sheetRejectsCharacterMissingFromFont() throws {
        let sheet = GlyphSheet(font: try TrueTypeFont(path: Fixture.configuration.fontPath))

        #expect(throws: CecertError(.unsupportedCharacter, "")) { try sheet.render(["一", "\u{20000}"]) }
    }
}

// MARK: - Reporting

extension GlyphCoverageTests {
    static func describe(_ scalar: Unicode.Scalar) -> String {
        "\(Character(scalar)) U+\(String(scalar.value, radix: 16, uppercase: true))"
    }

    /// Lists cells as `character code point (score, offset)`, at most 200 of them.
    static func describe(_ cells: [CellScore], _ score: KeyPath<CellScore, Double>) -> String {
        let limit = 200
        var items = cells.prefix(limit).map { cell in
            let offset = cell.offset.map { "offset \($0.x),\($0.y) px" } ?? "no ink"
            return "\(describe(cell.scalar)) (score \(cell[keyPath: score]), \(offset))"
        }
        if cells.count > limit { items.append("and \(cells.count - limit) more") }
        return items.joined(separator: ", ")
    }
}

// MARK: - Measurement

/// The characters of the table, in table order.
struct CharacterTable {
    let scalars: [Unicode.Scalar]

    /// Reads the table and checks that each line's code point column names its character.
    static func load() throws -> CharacterTable {
        let path = GlyphCoverageTests.tablePath
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CecertError(
                .notFound, "character table \(path) is missing. Copy the shared data folder next to the clone")
        }
        var scalars: [Unicode.Scalar] = []
        for (number, line) in text.split(separator: "\n").enumerated() {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            let character = columns.count >= 2 ? Array(columns[1].unicodeScalars) : []
            guard columns.count >= 2, columns[0].hasPrefix("U+"), character.count == 1,
                UInt32(columns[0].dropFirst(2), radix: 16) == character[0].value
            else {
                throw CecertError(.invalidInput, "character table \(path) line \(number + 1) is invalid: \(line)")
            }
            scalars.append(character[0])
        }
        return CharacterTable(scalars: scalars)
    }
}

/// One cell's scores from `scripts/glyph_reference.py`.
struct CellScore: Sendable {
    let scalar: Unicode.Scalar
    /// The match with the cell's own reference, from 0 to 1.
    let score: Double
    /// The match with the next character's reference.
    let nextScore: Double
    /// The printed ink box's top-left corner minus the reference's, in pixels, or nil for a blank cell.
    let offset: (x: Int, y: Int)?
}

/// The glyph sheet of the whole table, rasterised, scored and read back as text, made once for all tests.
struct SheetMeasurement: Sendable {
    let cells: [CellScore]
    /// The score distributions printed by the script.
    let summary: String
    /// `pdftotext` output for the sheet.
    let extractedText: String

    static func make() throws -> SheetMeasurement {
        guard FileManager.default.isExecutableFile(atPath: GlyphCoverageTests.python) else {
            throw CecertError(
                .notFound,
                "\(GlyphCoverageTests.python) is missing. Install python3-pil with scripts/install-deps.sh test"
            )
        }
        let table = try CharacterTable.load()
        let sheet = GlyphSheet(font: try TrueTypeFont(path: Fixture.configuration.fontPath))
        let directory = try TemporaryDirectory()
        let pdf = try directory.write(try sheet.render(table.scalars), to: "sheet.pdf")
        let characters = directory.path + "/characters.txt"
        try table.scalars.map { String($0) + "\n" }.joined().write(
            toFile: characters, atomically: false, encoding: .utf8)

        try runChecked(
            "/usr/bin/env",
            ["pdftoppm", "-r", "\(Int(GlyphCoverageTests.dpi))", "-gray", pdf, directory.path + "/page"])
        let layout = sheet.layout
        let scores = directory.path + "/scores.tsv"
        let summary = try runChecked(
            GlyphCoverageTests.python,
            [
                GlyphCoverageTests.scriptPath, "--font", Fixture.configuration.fontPath, "--characters", characters,
                "--pages", directory.path + "/page", "--output", scores, "--dpi", "\(GlyphCoverageTests.dpi)",
                "--columns", "\(layout.columns)", "--rows", "\(layout.rows)", "--cell-size", "\(layout.cellSize)",
                "--margin", "\(layout.margin)", "--font-size", "\(layout.fontSize)",
                "--pen-x", "\(sheet.penOffset.x)", "--pen-y", "\(sheet.penOffset.y)", "--jobs", "2",
            ])
        let text = try runChecked("/usr/bin/env", ["pdftotext", "-raw", pdf, "-"])
        return SheetMeasurement(
            cells: try parseScores(String(contentsOfFile: scores, encoding: .utf8), table: table),
            summary: summary, extractedText: text)
    }

    static func parseScores(_ text: String, table: CharacterTable) throws -> [CellScore] {
        try text.split(separator: "\n").map { line in
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard columns.count == 6, let index = Int(columns[0]), table.scalars.indices.contains(index),
                let score = Double(columns[2]), let nextScore = Double(columns[3])
            else {
                throw CecertError(.invalidInput, "glyph_reference.py wrote an invalid line: \(line)")
            }
            let offset = Int(columns[4]).flatMap { x in Int(columns[5]).map { (x: x, y: $0) } }
            return CellScore(scalar: table.scalars[index], score: score, nextScore: nextScore, offset: offset)
        }
    }

    /// Runs a program and returns its standard output and standard error together.
    ///
    /// A program still running after `timeout` seconds is killed with SIGKILL, because children inherit the test
    /// thread's signal mask and may ignore SIGTERM.
    /// - Throws: `CecertError(.rendering)` with the command and its output when it exits with a nonzero status.
    @discardableResult
    static func runChecked(_ executable: String, _ arguments: [String], timeout: Double = 300) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()

        let identifier = process.processIdentifier
        let watchdog = DispatchWorkItem { kill(identifier, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        watchdog.cancel()

        guard process.terminationStatus == 0 else {
            let command = ([executable] + arguments).joined(separator: " ")
            throw CecertError(.rendering, "\(command) exited with status \(process.terminationStatus): \(output)")
        }
        return output
    }
}
