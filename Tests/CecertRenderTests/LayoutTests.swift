import CecertCore
import Testing

@testable import CecertRender

/// Text fitting, line breaking and the QR code's geometry.
@Suite struct LayoutTests {
    static let font = try! TrueTypeFont(path: Fixture.configuration.fontPath)
    let fitter = TextFitter(font: LayoutTests.font, minimumSize: 7, pageHeight: 841.89)

    func style(size: Double, maxLines: Int = 2) -> TextStyle {
        TextStyle(
            text: "", size: size, color: .black, align: .left, maxLines: maxLines, leading: 1.25,
            characterSpacing: 0, firstLineIndent: 0)
    }

    @Test func shortTextKeepsItsSize() throws {
        let fitted = try fitter.fit(
            "王小明", in: Box(x: 0, y: 0, width: 100, height: 20), style: style(size: 10.5),
            element: "name")
        #expect(fitted.size == 10.5)
        #expect(fitted.lines.map { String(String.UnicodeScalarView($0.scalars)) } == ["王小明"])
    }

    @Test func textShrinksBeforeWrapping() throws {
        // Ten ideographs are 10 em wide: at most 9 pt fits a 90 pt box on one line.
        let fitted = try fitter.fit(
            "一二三四五六七八九十", in: Box(x: 0, y: 0, width: 90, height: 24),
            style: style(size: 12), element: "unit")
        #expect(fitted.size == 9)
        #expect(fitted.lines.count == 1)
    }

    @Test func textWrapsBelowMinimumSize() throws {
        let unit = String(repeating: "泰州市第一人民医院", count: 4)
        let fitted = try fitter.fit(
            unit, in: Box(x: 0, y: 0, width: 150, height: 24), style: style(size: 10.5),
            element: "unit")
        #expect(fitted.lines.count == 2)
        #expect(fitted.size <= 150.0 / 18)
        #expect(fitted.size >= 7)
        let lines = fitted.lines.map { String(String.UnicodeScalarView($0.scalars)) }
        #expect(lines.joined() == unit)
    }

    @Test func textThatCannotFitIsRejected() {
        let long = String(repeating: "长", count: 80)
        #expect(throws: CecertError(.rendering, "")) {
            try fitter.fit(long, in: Box(x: 0, y: 0, width: 150, height: 24), style: style(size: 10.5), element: "unit")
        }
    }

    @Test func middleDotNeverEndsOrStartsLine() throws {
        let name = "阿卜杜热合曼·买买提明·艾则孜"
        for width in stride(from: 40.0, through: 110.0, by: 2.5) {
            guard
                let fitted = try? fitter.fit(
                    name, in: Box(x: 0, y: 0, width: width, height: 24),
                    style: style(size: 10.5), element: "name")
            else { continue }
            for line in fitted.lines {
                #expect(line.scalars.first != "\u{00B7}")
                #expect(line.scalars.last != "\u{00B7}")
            }
            #expect(fitted.lines.flatMap(\.scalars) == Array(name.unicodeScalars))
        }
    }

    @Test func breakRules() {
        let text = Array("张·三ab12，（甲".unicodeScalars)
        #expect(!TextFitter.canBreak(text, before: 1))
        #expect(!TextFitter.canBreak(text, before: 2))
        #expect(TextFitter.canBreak(text, before: 3))
        #expect(!TextFitter.canBreak(text, before: 4))
        #expect(!TextFitter.canBreak(text, before: 7))
        #expect(TextFitter.canBreak(text, before: 8))
        #expect(!TextFitter.canBreak(text, before: 9))
    }

    @Test func qrSymbolForVerifyURL() throws {
        let symbol = try QRSymbol.make(encoding: "http://127.0.0.1:8080/v/ABCDEFGHJKLMNPQRSTUV")
        #expect(symbol.width == 17 + 4 * symbol.version)
        #expect(symbol.version == 3)
        let darkModules = symbol.modules.filter { $0 }.count
        #expect(symbol.darkRuns.reduce(0) { $0 + $1.length } == darkModules)
        // Finder patterns sit in three corners, and the timing pattern on row 6 alternates between them.
        #expect(symbol.isDark(row: 0, column: 0))
        #expect(symbol.isDark(row: 0, column: symbol.width - 1))
        #expect(symbol.isDark(row: symbol.width - 1, column: 0))
        for column in 8..<(symbol.width - 8) {
            #expect(symbol.isDark(row: 6, column: column) == column.isMultiple(of: 2))
        }
    }

    @Test func qrPrintsLargeEnough() throws {
        let template = try TemplateLoader.load(path: Fixture.root + "/templates/certificate-v1.json")
        let operations = try PageLayout(template: template, font: LayoutTests.font).makeOperations(for: Fixture.facts())
        let qrBoxes = operations.compactMap { operation -> [Box]? in
            if case .fillRectangles(let boxes, let color) = operation, color == .black { return boxes }
            return nil
        }
        let boxes = try #require(qrBoxes.first)
        let module = boxes.map(\.height).min() ?? 0
        let left = boxes.map(\.x).min() ?? 0
        let right = boxes.map(\.maxX).max() ?? 0
        let millimetres = 25.4 / 72
        #expect(module * millimetres >= 0.5)
        #expect((right - left) * millimetres >= 25)
        #expect(left * millimetres >= 10)
        #expect(boxes.allSatisfy { abs($0.height - module) < 1e-9 })
    }
}
