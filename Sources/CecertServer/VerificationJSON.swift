import CecertCore

extension VerificationView {
    /// The verify API body: `status`, `status_label`, `message`, every field of `fields` under its key,
    /// `revocation_category` (the stored reason code) when revoked, `years`, and
    /// `name_match` when a name was given. Absent facts are absent keys, never empty strings.
    var json: String {
        var writer = JSONWriter()
        writer.object { object in
            object.field("status", status.rawValue)
            object.field("status_label", status.label)
            object.field("message", status.explanation)
            if let facts {
                if let rendering = reusableRendering {
                    object.appendMembers(rendering.jsonMembers)
                } else {
                    object.appendMembers(Self.jsonMembers(Self.certificateFields(facts, displayedName: displayedName ?? "")))
                }
                object.appendMembers(Self.jsonMembers(revocationFields))
                if status == .revoked {
                    object.field("revocation_category", revocationReason)
                }
                object.raw("years", reusableRendering?.jsonYears ?? Self.jsonYears(facts.years))
            } else {
                object.appendMembers(Self.jsonMembers(fields))
            }
            if let nameMatch {
                object.field("name_match", nameMatch)
            }
        }
        return writer.output
    }

    /// Renders fields as JSON object members, each preceded by a comma.
    static func jsonMembers(_ fields: [Field]) -> String {
        var text = ""
        for field in fields {
            text += ","
            JSONWriter.appendString(field.key, to: &text)
            text += ":"
            switch field.value {
            case let .text(value): JSONWriter.appendString(value, to: &text)
            case let .integer(number): text += String(number)
            }
        }
        return text
    }

    /// Renders the hours per year as a JSON array.
    static func jsonYears(_ years: [YearSummary]) -> String {
        var text = "["
        for (index, year) in years.enumerated() {
            if index > 0 { text += "," }
            text += "{\"year\":\(year.year),\"public_courses\":\(year.publicCourses)"
            text += ",\"public_hours\":\"\(year.publicHours)\",\"professional_hours\":\"\(year.professionalHours)\""
            text += ",\"total_hours\":\"\(year.totalHours)\"}"
        }
        return text + "]"
    }
}
