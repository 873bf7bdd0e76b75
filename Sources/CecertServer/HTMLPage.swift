import CecertCore

/// Server-rendered pages: UTF-8 Chinese HTML for phones, inline CSS and no script.
enum HTMLPage {
    /// Escapes text for element content and double-quoted attribute values.
    static func escape(_ text: String) -> String {
        let needsEscaping = text.utf8.contains { byte in
            byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
                || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
        }
        guard needsEscaping else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    static let style = """
        body{margin:0;font-family:-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;\
        background:#f4f5f7;color:#1f2328;font-size:16px;line-height:1.6}\
        main{max-width:40rem;margin:0 auto;padding:1rem}\
        h1{font-size:1.25rem;margin:.5rem 0 1rem}\
        .status{padding:.75rem 1rem;border-radius:.5rem;margin-bottom:1rem;font-weight:600}\
        .status p{font-weight:400;margin:.25rem 0 0;font-size:.9rem}\
        .valid{background:#e6f4ea;color:#135c2b}.revoked,.tampered{background:#fdecea;color:#8a1c13}\
        .superseded{background:#fff4e0;color:#7a4b00}.not_found,.malformed{background:#eceff3;color:#3d4450}\
        dl{display:grid;grid-template-columns:auto 1fr;gap:.35rem .75rem;background:#fff;padding:1rem;\
        border-radius:.5rem;margin:0 0 1rem}dt{color:#5b6370}dd{margin:0;word-break:break-all}dd[data-field=number]{white-space:nowrap}\
        table{width:100%;border-collapse:collapse;background:#fff;border-radius:.5rem;margin-bottom:1rem}\
        th,td{padding:.4rem;text-align:right;border-bottom:1px solid #e3e6ea}th:first-child,td:first-child{text-align:left}\
        form{background:#fff;padding:1rem;border-radius:.5rem;margin-bottom:1rem}\
        label{display:block;margin:.5rem 0 .25rem}input{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;\
        border:1px solid #c4c9d0;border-radius:.375rem}button{margin-top:.75rem;width:100%;padding:.7rem;font-size:1rem;\
        border:0;border-radius:.375rem;background:#1a5fb4;color:#fff}\
        .name{padding:.5rem 1rem;border-radius:.5rem;margin-bottom:1rem;background:#fff}\
        footer{color:#6b7280;font-size:.8rem;text-align:center;margin:1rem 0}
        """

    /// Wraps `content` in the page shell with a viewport for phones.
    static func document(title: String, content: String) -> String {
        var page = "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        page += "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        page += "<meta name=\"robots\" content=\"noindex\"><title>\(escape(title))</title>"
        page += "<style>\(style)</style></head><body><main>"
        page += content
        page += "<footer>泰州市专业技术人员继续教育证书查验</footer></main></body></html>"
        return page
    }
}

// MARK: - Verification pages

extension HTMLPage {
    /// Renders the result page for one verification. `nameFormAction` is the path a name confirmation submits to.
    static func verification(_ view: VerificationView, nameFormAction: String?) -> String {
        var content = "<h1>继续教育证书查验结果</h1>"
        content += "<div class=\"status \(view.status.rawValue)\" data-field=\"status\" data-status=\"\(view.status.rawValue)\">"
        content += escape(view.status.label)
        content += "<p>\(escape(view.status.explanation))</p></div>"

        if let label = view.nameMatchLabel {
            content += "<div class=\"name\" data-field=\"name_match\" data-value=\"\(view.nameMatch == true)\">"
            content += "\(escape(label))</div>"
        }

        if let facts = view.facts {
            content += "<dl>"
            if let rendering = view.reusableRendering {
                content += rendering.htmlItems
            } else {
                content += fieldItems(VerificationView.certificateFields(facts, displayedName: view.displayedName ?? ""))
            }
            content += fieldItems(view.revocationFields)
            content += "</dl>"
            content += view.reusableRendering?.htmlYears ?? yearTable(facts.years)
        } else if !view.fields.isEmpty {
            content += "<dl>\(fieldItems(view.fields))</dl>"
        }

        if let nameFormAction, view.facts != nil {
            content += "<form method=\"get\" action=\"\(escape(nameFormAction))\">"
            content += "<label for=\"name\">核对持证人姓名</label>"
            content += "<input id=\"name\" name=\"name\" autocomplete=\"off\" maxlength=\"40\" placeholder=\"请输入完整姓名\">"
            content += "<button type=\"submit\">核对姓名</button></form>"
        }
        content += "<p><a href=\"/v\">查验其他证书</a></p>"
        return document(title: "证书查验：\(view.status.label)", content: content)
    }

    /// Renders fields as `<dt>`/`<dd>` pairs; each `<dd>` carries its API key in `data-field`.
    static func fieldItems(_ fields: [VerificationView.Field]) -> String {
        var items = ""
        for field in fields {
            items += "<dt>\(escape(field.label))</dt>"
            items += "<dd data-field=\"\(field.key)\">\(escape(field.value.display))</dd>"
        }
        return items
    }

    /// Renders the hours per year as a table, or nothing when there are no rows.
    static func yearTable(_ years: [YearSummary]) -> String {
        guard !years.isEmpty else { return "" }
        var table = "<table data-field=\"years\"><thead><tr><th>年度</th><th>公需（门）</th><th>公需学时</th>"
        table += "<th>专业学时</th><th>合计</th></tr></thead><tbody>"
        for year in years {
            table += "<tr data-year=\"\(year.year)\"><td>\(year.year)</td><td>\(year.publicCourses)</td>"
            table += "<td>\(year.publicHours)</td><td>\(year.professionalHours)</td><td>\(year.totalHours)</td></tr>"
        }
        table += "</tbody></table>"
        return table
    }

    /// Renders the lookup form, pre-filled with what was typed, with an optional message above it.
    static func lookupForm(number: String, code: String, name: String, message: String?) -> String {
        var content = "<h1>继续教育证书查验</h1>"
        if let message {
            content += "<div class=\"status malformed\" data-field=\"message\">\(escape(message))</div>"
        }
        content += lookupFormBody(number: number, code: code, name: name)
        return document(title: "证书查验", content: content)
    }

    /// A well-formed number with a correct check character, shown as the input's example.
    static let exampleNumber = CertificateNumber(area: "321200", year: 2025, serial: 123).description

    static func lookupFormBody(number: String, code: String, name: String) -> String {
        var form = "<form method=\"get\" action=\"/v\">"
        form += "<label for=\"number\">证书编号</label>"
        form += "<input id=\"number\" name=\"number\" value=\"\(escape(number))\" autocomplete=\"off\" maxlength=\"64\" "
        form += "placeholder=\"例如 \(exampleNumber)\">"
        form += "<label for=\"code\">验证码</label>"
        form += "<input id=\"code\" name=\"code\" value=\"\(escape(code))\" autocomplete=\"off\" maxlength=\"64\" "
        form += "autocapitalize=\"characters\" placeholder=\"证书上的20位验证码\">"
        form += "<label for=\"name\">持证人姓名（选填，用于核对）</label>"
        form += "<input id=\"name\" name=\"name\" value=\"\(escape(name))\" autocomplete=\"off\" maxlength=\"40\">"
        form += "<button type=\"submit\">查验</button></form>"
        return form
    }

    /// Renders the page for an HTTP error on an HTML route. Its text is fixed per status and never echoes input.
    static func error(title: String, message: String) -> String {
        document(title: title, content: "<h1>\(escape(title))</h1><div class=\"status not_found\">\(escape(message))</div>")
    }
}
