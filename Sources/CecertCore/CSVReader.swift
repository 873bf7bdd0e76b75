/// One record of a CSV file with the spreadsheet row it starts on.
public struct CSVRecord: Sendable, Hashable {
    /// The 1-based number of the line the record starts on, so the header is row 1.
    public var row: Int
    public var fields: [String]

    public init(row: Int, fields: [String]) {
        self.row = row
        self.fields = fields
    }
}

/// Parses comma-separated values as RFC 4180 describes them.
///
/// Fields may be quoted with `"`, and a quoted field may contain commas, line breaks and doubled quotes.
/// Records end with CRLF or LF. Blank lines are skipped.
public enum CSVReader {
    /// Splits `text` into records.
    /// - Throws: `CecertError(.invalidInput)` for a quote left open at the end of the file, or a
    ///   character after a closing quote other than a comma or a line break.
    public static func records(_ text: String) throws -> [CSVRecord] {
        var records: [CSVRecord] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var afterQuote = false
        var line = 1
        var recordStart = 1
        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil

        func endRecord() {
            fields.append(field)
            field = ""
            if !(fields.count == 1 && fields[0].isEmpty) {
                records.append(CSVRecord(row: recordStart, fields: fields))
            }
            fields = []
            afterQuote = false
        }

        while let scalar = pending ?? scalars.next() {
            pending = nil
            if inQuotes {
                if scalar == "\"" {
                    let next = scalars.next()
                    if next == "\"" {
                        field.unicodeScalars.append("\"")
                    } else {
                        inQuotes = false
                        afterQuote = true
                        pending = next
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty && !afterQuote:
                inQuotes = true
            case ",":
                fields.append(field)
                field = ""
                afterQuote = false
            case "\r":
                let next = scalars.next()
                if next != "\n" { pending = next }
                endRecord()
                line += 1
                recordStart = line
            case "\n":
                endRecord()
                line += 1
                recordStart = line
            default:
                if afterQuote {
                    throw CecertError(.invalidInput, "CSV line \(line): a quoted field must be followed by a comma or a line break")
                }
                field.unicodeScalars.append(scalar)
            }
        }
        if inQuotes {
            throw CecertError(.invalidInput, "CSV record starting on line \(recordStart): a quoted field is not closed")
        }
        if !field.isEmpty || !fields.isEmpty || afterQuote { endRecord() }
        return records
    }
}
