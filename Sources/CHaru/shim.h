#ifndef CHARU_SHIM_H
#define CHARU_SHIM_H
#include <hpdf.h>
#include <string.h>

/// Writes the Filter entry of a stream whose data is compressed already. libharu removes the Filter entry of a
/// stream whose filter is HPDF_STREAM_FILTER_NONE, so this callback writes it after the other entries.
static inline HPDF_STATUS CHaru_write_flate_filter(HPDF_Dict dict, HPDF_Stream stream) {
    (void)dict;
    return HPDF_Stream_WriteStr(stream, "/Filter [ /FlateDecode ]\012");
}

/// Loads a TrueType font for embedding from `size` bytes at `bytes`, and returns its name for HPDF_GetFont,
/// or NULL with the document's error set. libharu 2.3.0 loads TrueType fonts only from a file, so this does
/// what its HPDF_LoadTTFontFromFile does on a memory stream. The definition is added to the document and
/// gets the next subset tag (HPDFAA for the first).
static inline const char *CHaru_load_truetype(HPDF_Doc doc, const HPDF_BYTE *bytes, HPDF_UINT size) {
    HPDF_Stream stream = HPDF_MemStream_New(doc->mmgr, size);
    if (!stream) return NULL;
    if (HPDF_Stream_Write(stream, bytes, size) != HPDF_OK) {
        HPDF_Stream_Free(stream);
        return NULL;
    }
    // On failure the definition is freed together with the stream it took.
    HPDF_FontDef def = HPDF_TTFontDef_Load(doc->mmgr, stream, HPDF_TRUE);
    if (!def) return NULL;
    if (HPDF_Doc_FindFontDef(doc, def->base_font)) {
        HPDF_FontDef_Free(def);
        HPDF_SetError(&doc->error, HPDF_FONT_EXISTS, 0);
        return NULL;
    }
    if (HPDF_List_Add(doc->fontdef_list, def) != HPDF_OK) {
        HPDF_FontDef_Free(def);
        return NULL;
    }
    if (doc->ttfont_tag[0] == 0) {
        memcpy(doc->ttfont_tag, "HPDFAA", 6);
    } else {
        for (int i = 5; i >= 0; i--) {
            doc->ttfont_tag[i] += 1;
            if (doc->ttfont_tag[i] > 'Z') {
                doc->ttfont_tag[i] = 'A';
            } else {
                break;
            }
        }
    }
    HPDF_TTFontDef_SetTagName(def, (char *)doc->ttfont_tag);
    return def->base_font;
}

/// Returns the document's error code, or a generic one when libharu failed without setting it.
static inline HPDF_STATUS CHaru_failure(HPDF_Doc doc) {
    HPDF_STATUS code = HPDF_Error_GetCode(&doc->error);
    return code != HPDF_OK ? code : HPDF_INVALID_OBJECT;
}

/// Creates the font for the TrueType definition `name` with `encoding`, while its definition maps no code
/// to a glyph.
///
/// When libharu 2.3.0 creates a TrueType font for the UTF-8 encoder, it looks up the glyph of all 65,536
/// codes in the definition's cmap (about 2 M instructions per certificate). It builds a CIDToGIDMap and a
/// W array from them, which the caller replaces with CHaru_set_widths and its own map. For the time of the
/// call the cmap is a format 0 table of glyph 0, so each lookup is one load. The cmap is restored after.
static inline HPDF_Font CHaru_get_font_unmapped(HPDF_Doc doc, const char *name, const char *encoding) {
    static const HPDF_UINT16 no_glyphs[256] = {0};
    HPDF_FontDef def = HPDF_Doc_FindFontDef(doc, name);
    if (!def || def->type != HPDF_FONTDEF_TYPE_TRUETYPE) return NULL;
    HPDF_TTFontDefAttr attr = (HPDF_TTFontDefAttr)def->attr;
    HPDF_TTF_CmapRange saved = attr->cmap;
    attr->cmap.format = 0;
    attr->cmap.glyph_id_array = (HPDF_UINT16 *)no_glyphs;
    HPDF_Font font = HPDF_GetFont(doc, name, encoding);
    attr->cmap = saved;
    return font;
}

/// Replaces the W array of `font`'s CIDFont with the widths of `glyphs`, the glyph of each CID from 0 to
/// `count` - 1 (0 for none). The array is built as libharu 2.3.0 builds it: runs of consecutive CIDs whose
/// width differs from the default width, each as a first CID and an array of widths.
static inline HPDF_STATUS CHaru_set_widths(HPDF_Doc doc, HPDF_Font font, const HPDF_UINT16 *glyphs, HPDF_UINT count) {
    HPDF_FontAttr attr = (HPDF_FontAttr)font->attr;
    HPDF_FontDef def = attr->fontdef;
    HPDF_Array widths = HPDF_Array_New(doc->mmgr);
    if (!widths) return CHaru_failure(doc);
    HPDF_Array run = NULL;
    for (HPDF_UINT cid = 0; cid < count; cid++) {
        HPDF_INT16 width = HPDF_TTFontDef_GetGidWidth(def, glyphs[cid]);
        if (width == def->missing_width) {
            run = NULL;
            continue;
        }
        if (!run) {
            run = HPDF_Array_New(doc->mmgr);
            if (!run || HPDF_Array_AddNumber(widths, (HPDF_INT32)cid) != HPDF_OK || HPDF_Array_Add(widths, run) != HPDF_OK)
                return CHaru_failure(doc);
        }
        if (HPDF_Array_AddNumber(run, width) != HPDF_OK) return CHaru_failure(doc);
    }
    if (HPDF_Dict_Add(attr->descendant_font, "W", widths) != HPDF_OK) return CHaru_failure(doc);
    return HPDF_OK;
}

/// Gives the TrueType font definition behind `font` a font descriptor whose FontFile2 stream contains `program`:
/// zlib-compressed bytes of a font file of `length1` bytes. libharu 2.3.0 builds a descriptor when it saves
/// the document only if the definition has none, so it then neither copies nor compresses the font again.
/// The descriptor has the entries libharu's own would have.
static inline HPDF_STATUS CHaru_set_font_program(HPDF_Doc doc, HPDF_Font font, const HPDF_BYTE *program,
                                                 HPDF_UINT size, HPDF_UINT length1) {
    HPDF_FontAttr attr = (HPDF_FontAttr)font->attr;
    HPDF_FontDef def = attr->fontdef;
    HPDF_TTFontDefAttr def_attr = (HPDF_TTFontDefAttr)def->attr;
    if (def->descriptor) return HPDF_INVALID_FONTDEF_DATA;

    HPDF_Dict data = HPDF_DictStream_New(doc->mmgr, attr->xref);
    if (!data) return CHaru_failure(doc);
    data->filter = HPDF_STREAM_FILTER_NONE;
    data->write_fn = CHaru_write_flate_filter;
    if (HPDF_Stream_Write(data->stream, program, size) != HPDF_OK
        || HPDF_Dict_AddNumber(data, "Length1", (HPDF_INT32)length1) != HPDF_OK
        || HPDF_Dict_AddNumber(data, "Length2", 0) != HPDF_OK
        || HPDF_Dict_AddNumber(data, "Length3", 0) != HPDF_OK)
        return CHaru_failure(doc);

    HPDF_Dict descriptor = HPDF_Dict_New(doc->mmgr);
    if (!descriptor) return CHaru_failure(doc);
    if (HPDF_Dict_Add(descriptor, "FontFile2", data) != HPDF_OK
        || HPDF_Xref_Add(attr->xref, descriptor) != HPDF_OK
        || HPDF_Dict_AddName(descriptor, "Type", "FontDescriptor") != HPDF_OK
        || HPDF_Dict_AddNumber(descriptor, "Ascent", def->ascent) != HPDF_OK
        || HPDF_Dict_AddNumber(descriptor, "Descent", def->descent) != HPDF_OK
        || HPDF_Dict_AddNumber(descriptor, "Flags", (HPDF_INT32)def->flags) != HPDF_OK
        || HPDF_Dict_Add(descriptor, "FontBBox", HPDF_Box_Array_New(doc->mmgr, def->font_bbox)) != HPDF_OK
        || HPDF_Dict_AddName(descriptor, "FontName", def_attr->base_font) != HPDF_OK
        || HPDF_Dict_AddNumber(descriptor, "ItalicAngle", def->italic_angle) != HPDF_OK
        || HPDF_Dict_AddNumber(descriptor, "StemV", def->stemv) != HPDF_OK
        || HPDF_Dict_AddNumber(descriptor, "XHeight", def->x_height) != HPDF_OK)
        return CHaru_failure(doc);
    def->descriptor = descriptor;
    return HPDF_OK;
}
#endif
