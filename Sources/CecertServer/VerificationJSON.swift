import CecertCore

extension VerificationView {
    /// The verify API body: `status`, `status_label`, every field of `fields` under its key, `years`, and
    /// `name_match` when a name was given. Absent facts are absent keys, never empty strings.
    var json: String {
        var writer = JSONWriter()
        writer.object { object in
            object.field("status", status.rawValue)
            object.field("status_label", status.label)
            object.field("message", status.explanation)
            for field in fields {
                switch field.value {
                case let .text(text): object.field(field.key, text)
                case let .integer(number): object.field(field.key, number)
                }
            }
            if facts != nil {
                object.array("years", years) { row, year in
                    row.field("year", year.year)
                    row.field("public_courses", year.publicCourses)
                    row.field("public_hours", year.publicHours.description)
                    row.field("professional_hours", year.professionalHours.description)
                    row.field("total_hours", year.totalHours.description)
                }
            }
            if let nameMatch {
                object.field("name_match", nameMatch)
            }
        }
        return writer.output
    }
}
