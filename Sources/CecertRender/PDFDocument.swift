internal import CHaru
import CecertCore
import Foundation

/// The single owner of one libharu document handle, reused for one certificate after another; `deinit` frees it.
///
/// Creating a handle sets up libharu's UTF-8 encoder, whose 256 × 256 code tables are costly to fill, so the
/// handle is kept and `begin()` starts each new document in it.
/// Not thread-safe: a libharu handle must only be used by one thread at a time.
final class PDFDocument {
    private let handle: HPDF_Doc
    private var page: HPDF_Page?
    private var font: HPDF_Font?

    /// Creates the handle and registers the UTF-8 encoder.
    init() throws {
        guard let handle = HPDF_New(nil, nil) else {
            throw CecertError(.rendering, "libharu could not create a document (out of memory)")
        }
        self.handle = handle
        try check(HPDF_UseUTFEncodings(handle), "enabling UTF-8")
    }

    deinit {
        HPDF_Free(handle)
    }

    /// Starts an empty document that compresses every stream, dropping the previous document and its font.
    func begin() throws {
        HPDF_FreeDoc(handle)
        freeFontDefinitions()
        page = nil
        font = nil
        try check(HPDF_NewDoc(handle), "creating a document")
        try check(HPDF_SetCompressionMode(handle, UInt32(HPDF_COMP_ALL)), "setting the compression mode")
        try check(HPDF_SetCurrentEncoder(handle, "UTF-8"), "selecting the UTF-8 encoder")
    }

    /// Frees every loaded font definition. libharu keeps them, with their open font file, until the handle is
    /// freed, and rejects a second font with the same PostScript name, so each certificate's subset must go.
    private func freeFontDefinitions() {
        guard let list = handle.pointee.fontdef_list else { return }
        for index in 0..<list.pointee.count {
            if let definition = HPDF_List_ItemAt(list, index) {
                HPDF_FontDef_Free(definition.assumingMemoryBound(to: HPDF_FontDef_Rec.self))
            }
        }
        HPDF_List_Clear(list)
    }

    /// Converts a libharu status to a Swift error, with the document's detail code.
    private func check(_ status: HPDF_STATUS, _ step: String) throws {
        guard status != HPDF_OK else { return }
        let detail = HPDF_GetErrorDetail(handle)
        HPDF_ResetError(handle)
        throw CecertError(
            .rendering,
            "libharu failed while \(step): error 0x\(String(status, radix: 16, uppercase: true))"
                + ", detail \(detail)")
    }

    private func checkDocumentError(_ step: String) throws {
        try check(HPDF_GetError(handle), step)
    }

    func setInfo(title: String, author: String, subject: String) throws {
        try check(HPDF_SetInfoAttr(handle, HPDF_INFO_TITLE, title), "setting the title")
        try check(HPDF_SetInfoAttr(handle, HPDF_INFO_AUTHOR, author), "setting the author")
        try check(HPDF_SetInfoAttr(handle, HPDF_INFO_SUBJECT, subject), "setting the subject")
    }

    /// Loads a TrueType font from memory and embeds it.
    ///
    /// libharu 2.3.0 can only load a TrueType font from a file, so the shim gives libharu's font loader a
    /// memory stream instead. libharu frees it with the font definition in the next `begin()` or in `deinit`.
    func embedFont(_ subset: FontSubset) throws {
        let bytes = subset.bytes
        let loaded = bytes.withUnsafeBufferPointer { CHaru_load_truetype(handle, $0.baseAddress, UInt32($0.count)) }
        guard let name = loaded else {
            try checkDocumentError("loading the font subset")
            throw CecertError(.rendering, "libharu could not load the font subset")
        }
        // A subset with its own compressed program (template version 2 and later) also gets its W array from
        // here, so libharu need not look up glyphs while it creates the font. Version 1 keeps libharu's path,
        // so its certificates reprint byte for byte.
        let selected = subset.program == nil
            ? HPDF_GetFont(handle, name, "UTF-8") : CHaru_get_font_unmapped(handle, name, "UTF-8")
        guard let font = selected else {
            try checkDocumentError("selecting the font subset")
            throw CecertError(.rendering, "libharu could not select the font subset")
        }
        try replaceToUnicode(of: font, mappings: subset.toUnicode)
        try replaceGlyphMap(of: font, codes: subset.codes)
        if let program = subset.program {
            var glyphs = [UInt16](repeating: 0, count: Int(subset.codes.last?.code ?? 0) + 1)
            for entry in subset.codes { glyphs[Int(entry.code)] = entry.glyph }
            let widths = glyphs.withUnsafeBufferPointer {
                CHaru_set_widths(handle, font, $0.baseAddress, UInt32($0.count))
            }
            try check(widths, "writing the glyph widths")
            let status = program.withUnsafeBufferPointer {
                CHaru_set_font_program(handle, font, $0.baseAddress, UInt32($0.count), UInt32(bytes.count))
            }
            try check(status, "embedding the compressed font subset")
        }
        self.font = font
    }

    /// Rewrites the CIDToGIDMap stream to end at the highest stand-in code.
    ///
    /// libharu 2.3.0 writes two bytes for every code of its UTF-8 encoder, 128 KB that took about 0.6 ms to
    /// compress at zlib's default level in a measurement. The page text uses no CID past the end of the new map.
    private func replaceGlyphMap(of font: HPDF_Font, codes: [(code: UInt16, glyph: UInt16)]) throws {
        guard let attributes = font.pointee.attr?.assumingMemoryBound(to: HPDF_FontAttr_Rec.self),
            let map = attributes.pointee.map_stream, let stream = map.pointee.stream
        else {
            throw CecertError(.rendering, "libharu created no CIDToGIDMap for the font subset")
        }
        var bytes = [UInt8](repeating: 0, count: 2 * (Int(codes.last?.code ?? 0) + 1))
        for entry in codes {
            bytes[2 * Int(entry.code)] = UInt8(entry.glyph >> 8)
            bytes[2 * Int(entry.code) + 1] = UInt8(entry.glyph & 0xFF)
        }
        HPDF_MemStream_FreeData(stream)
        let status = bytes.withUnsafeBufferPointer { HPDF_Stream_Write(stream, $0.baseAddress, UInt32($0.count)) }
        try check(status, "writing the CIDToGIDMap")
    }

    /// Rewrites the font's ToUnicode CMap so that text extraction returns the printed characters.
    ///
    /// libharu 2.3.0 gives a UTF-8 font a ToUnicode stream that is a copy of its encoding CMap, and its
    /// `begincidrange` is invalid in a ToUnicode CMap. libharu also cannot know which character each stand-in
    /// code of the subset prints. The stream object is kept and only its dictionary and contents are replaced,
    /// using libharu's object API (hpdf_objects.h), so no orphaned object is written.
    private func replaceToUnicode(of font: HPDF_Font, mappings: [(code: UInt16, scalar: UInt32)]) throws {
        guard let item = HPDF_Dict_GetItem(font, "ToUnicode", UInt16(HPDF_OCLASS_DICT)) else {
            throw CecertError(.rendering, "libharu created no ToUnicode CMap for the font subset")
        }
        let cmap = item.assumingMemoryBound(to: HPDF_Dict_Rec.self)
        guard let stream = cmap.pointee.stream else {
            throw CecertError(.rendering, "libharu's ToUnicode CMap has no stream")
        }
        for key in ["CIDSystemInfo", "CMapName", "Type", "WMode"] {
            _ = HPDF_Dict_RemoveElement(cmap, key)
        }
        HPDF_ResetError(handle)
        HPDF_MemStream_FreeData(stream)
        try check(HPDF_Stream_WriteStr(stream, ToUnicodeCMap.make(mappings)), "writing the ToUnicode CMap")
        cmap.pointee.filter = UInt32(HPDF_STREAM_FILTER_FLATE_DECODE)
    }

    func addPage(width: Double, height: Double) throws {
        guard let page = HPDF_AddPage(handle) else {
            try checkDocumentError("adding a page")
            throw CecertError(.rendering, "libharu could not add a page")
        }
        try check(HPDF_Page_SetWidth(page, Float(width)), "setting the page width")
        try check(HPDF_Page_SetHeight(page, Float(height)), "setting the page height")
        self.page = page
    }

    /// Serialises the document, compressing its streams.
    func save() throws -> [UInt8] {
        try check(HPDF_SaveToStream(handle), "saving the document")
        var bytes = [UInt8](repeating: 0, count: Int(HPDF_GetStreamSize(handle)))
        var size = HPDF_UINT32(bytes.count)
        let status = bytes.withUnsafeMutableBufferPointer { HPDF_ReadFromStream(handle, $0.baseAddress, &size) }
        // libharu returns HPDF_STREAM_EOF when the read reaches the end of the stream, which it always does here.
        if status != HPDF_OK && status != HPDF_STREAM_EOF {
            try check(status, "reading the saved document")
        }
        HPDF_ResetError(handle)
        return Array(bytes.prefix(Int(size)))
    }
}

// MARK: - Drawing

extension PDFDocument {
    /// Draws the steps in order, then checks libharu's error state once.
    func draw(_ operations: [DrawOperation], substitutes: [UInt32: UInt16]) throws {
        guard let page, let font else { throw CecertError(.rendering, "draw called before addPage and embedFont") }
        for operation in operations {
            switch operation {
            case .text(let fitted, let color, let spacing):
                HPDF_Page_SetRGBFill(page, Float(color.red), Float(color.green), Float(color.blue))
                HPDF_Page_BeginText(page)
                HPDF_Page_SetFontAndSize(page, font, Float(fitted.size))
                if spacing != 0 { HPDF_Page_SetCharSpace(page, Float(spacing)) }
                for line in fitted.lines {
                    HPDF_Page_TextOut(
                        page, Float(line.x), Float(line.baseline),
                        PDFDocument.encode(line.scalars, substitutes: substitutes))
                }
                if spacing != 0 { HPDF_Page_SetCharSpace(page, 0) }
                HPDF_Page_EndText(page)
            case .strokeRectangle(let box, let lineWidth, let color):
                HPDF_Page_SetRGBStroke(page, Float(color.red), Float(color.green), Float(color.blue))
                HPDF_Page_SetLineWidth(page, Float(lineWidth))
                HPDF_Page_Rectangle(page, Float(box.x), Float(box.y), Float(box.width), Float(box.height))
                HPDF_Page_Stroke(page)
            case .fillRectangles(let boxes, let color):
                HPDF_Page_SetRGBFill(page, Float(color.red), Float(color.green), Float(color.blue))
                for box in boxes {
                    HPDF_Page_Rectangle(page, Float(box.x), Float(box.y), Float(box.width), Float(box.height))
                }
                HPDF_Page_Fill(page)
            case .lines(let segments, let lineWidth, let color):
                guard !segments.isEmpty else { continue }
                HPDF_Page_SetRGBStroke(page, Float(color.red), Float(color.green), Float(color.blue))
                HPDF_Page_SetLineWidth(page, Float(lineWidth))
                for segment in segments {
                    HPDF_Page_MoveTo(page, Float(segment.x1), Float(segment.y1))
                    HPDF_Page_LineTo(page, Float(segment.x2), Float(segment.y2))
                }
                HPDF_Page_Stroke(page)
            case .image(let png, let box):
                let image = png.withUnsafeBufferPointer {
                    HPDF_LoadPngImageFromMem(handle, $0.baseAddress, UInt32($0.count))
                }
                guard let image else {
                    try checkDocumentError("loading a PNG image")
                    throw CecertError(.rendering, "libharu could not load a PNG image of the template")
                }
                HPDF_Page_DrawImage(page, image, Float(box.x), Float(box.y), Float(box.width), Float(box.height))
            case .circle(let x, let y, let radius, let lineWidth, let color):
                HPDF_Page_SetRGBStroke(page, Float(color.red), Float(color.green), Float(color.blue))
                HPDF_Page_SetLineWidth(page, Float(lineWidth))
                HPDF_Page_Circle(page, Float(x), Float(y), Float(radius))
                HPDF_Page_Stroke(page)
            }
        }
        try checkDocumentError("drawing the page")
    }

    /// UTF-8 for libharu, with each character replaced by its private-use stand-in in the font subset.
    static func encode(_ scalars: [Unicode.Scalar], substitutes: [UInt32: UInt16]) -> String {
        var text = String.UnicodeScalarView()
        for scalar in scalars {
            if let code = substitutes[scalar.value], let standIn = Unicode.Scalar(code) {
                text.append(standIn)
            } else {
                text.append(scalar)
            }
        }
        return String(text)
    }
}
