import CecertCore

/// Text fitted into a box: its font size and lines, positioned in PDF coordinates (origin bottom-left).
struct FittedText {
    struct Line {
        var x: Double
        var baseline: Double
        var scalars: [Unicode.Scalar]
    }

    var size: Double
    var lines: [Line]
}

/// Shrinks and wraps text so it stays inside its box.
///
/// The text first shrinks from the style's size to the template's minimum font size on one line. When even the
/// minimum is too wide, it wraps to at most `maxLines` lines, again trying sizes from the largest down. Lines
/// break between CJK characters but never inside a run of ASCII letters and digits, never next to U+00B7 (the
/// middle dot in transcribed names), never before closing punctuation and never after opening punctuation.
struct TextFitter {
    let font: TrueTypeFont
    let minimumSize: Double
    let pageHeight: Double

    /// Font sizes are tried in steps of this many points.
    static let sizeStep = 0.25

    /// Fits `text` into `box` (template coordinates).
    /// - Throws: `CecertError(.rendering)` naming the element when the text cannot fit even at the minimum size.
    func fit(_ text: String, in box: Box, style: TextStyle, element: String) throws -> FittedText {
        let scalars = Array(text.unicodeScalars)
        let units = scalars.map { Double(font.advance(of: font.glyph(for: $0) ?? 0)) }
        let minimum = min(minimumSize, style.size)
        for lineCount in 1...style.maxLines {
            var size = style.size
            while size >= minimum - 1e-9 {
                let lineHeight = size * style.leading
                let blockFits = lineCount == 1 ? size <= box.height : Double(lineCount) * lineHeight <= box.height
                if blockFits,
                    let ranges = breakLines(
                        scalars, units: units, size: size, style: style, width: box.width,
                        maxLines: lineCount)
                {
                    return place(scalars, units: units, ranges: ranges, size: size, style: style, box: box)
                }
                size -= Self.sizeStep
            }
        }
        throw CecertError(
            .rendering,
            "text of element '\(element)' does not fit its box in \(style.maxLines) "
                + "line(s) at \(minimum) pt: \(text)")
    }

    func width(_ units: ArraySlice<Double>, size: Double, spacing: Double) -> Double {
        guard !units.isEmpty else { return 0 }
        return units.reduce(0, +) * size / Double(font.unitsPerEm) + spacing * Double(units.count - 1)
    }

    /// Breaks greedily into at most `maxLines` lines, or returns nil when that is impossible.
    func breakLines(
        _ scalars: [Unicode.Scalar], units: [Double], size: Double, style: TextStyle, width: Double,
        maxLines: Int
    ) -> [Range<Int>]? {
        var ranges: [Range<Int>] = []
        var start = 0
        while start < scalars.count {
            guard ranges.count < maxLines else { return nil }
            let limit = ranges.isEmpty ? width - style.firstLineIndent : width
            let scale = size / Double(font.unitsPerEm)
            var running = 0.0
            var next = start
            var end: Int?
            while next < scalars.count {
                let extended = (running + units[next]) * scale + style.characterSpacing * Double(next - start)
                if extended > limit { break }
                running += units[next]
                next += 1
                if next < scalars.count, Self.canBreak(scalars, before: next) { end = next }
            }
            if next == scalars.count {
                ranges.append(start..<next)
                break
            }
            guard let end else { return nil }
            ranges.append(start..<end)
            start = end
            while start < scalars.count, scalars[start] == " " { start += 1 }
        }
        return ranges
    }

    static let noBreakBefore: Set<Unicode.Scalar> = Set("，。、；：！？）》」』】’”·%".unicodeScalars)
    static let noBreakAfter: Set<Unicode.Scalar> = Set("（《「『【‘“·".unicodeScalars)

    /// Returns whether a line may end between `scalars[index - 1]` and `scalars[index]`.
    static func canBreak(_ scalars: [Unicode.Scalar], before index: Int) -> Bool {
        let previous = scalars[index - 1]
        let next = scalars[index]
        if previous == "\u{00B7}" || next == "\u{00B7}" { return false }
        if noBreakBefore.contains(next) || noBreakAfter.contains(previous) { return false }
        let isWord: (Unicode.Scalar) -> Bool = { $0.isASCII && $0 != " " }
        return !(isWord(previous) && isWord(next))
    }

    private func place(
        _ scalars: [Unicode.Scalar], units: [Double], ranges: [Range<Int>], size: Double,
        style: TextStyle, box: Box
    ) -> FittedText {
        let lineHeight = ranges.count == 1 ? size : size * style.leading
        let blockTop = box.y + (box.height - lineHeight * Double(ranges.count)) / 2
        // The em box's centre sits (ascender + descender) / 2 above the baseline.
        let centreAboveBaseline = size * Double(font.ascender + font.descender) / 2 / Double(font.unitsPerEm)
        var lines: [FittedText.Line] = []
        for (index, range) in ranges.enumerated() {
            let lineWidth = width(units[range], size: size, spacing: style.characterSpacing)
            let indent = index == 0 ? style.firstLineIndent : 0
            let x: Double
            switch style.align {
            case .left: x = box.x + indent
            case .center: x = box.x + (box.width - lineWidth) / 2
            case .right: x = box.maxX - lineWidth
            }
            let centre = blockTop + lineHeight * (Double(index) + 0.5)
            let baseline = pageHeight - (centre + centreAboveBaseline)
            lines.append(FittedText.Line(x: x, baseline: baseline, scalars: Array(scalars[range])))
        }
        return FittedText(size: size, lines: lines)
    }
}
