import Foundation

/// A calendar date without a time or zone, written `YYYY-MM-DD`.
///
/// Date-only fields (batch windows, title dates, issue dates) use this type so that the process
/// time zone can never shift them by a day.
public struct CivilDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Creates a date, or returns nil when the day does not exist in the proleptic Gregorian calendar.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
              day <= CivilDate.daysInMonth(year: year, month: month) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `YYYY-MM-DD`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    /// The date as printed on a certificate, for example 2020年4月15日.
    public var chinese: String { "\(year)年\(month)月\(day)日" }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = CivilDate(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "invalid date \(text)"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

// MARK: - Asia/Shanghai

extension CivilDate {
    /// China Standard Time. China has kept UTC+8 without daylight saving since 1991, and every date
    /// cecert handles is later, so a fixed offset gives the same dates as the tz database.
    public static let shanghai = TimeZone(identifier: "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600)!

    /// Creates the calendar date of an instant in Asia/Shanghai, whatever the process time zone is.
    public init(instant: Date, in zone: TimeZone = CivilDate.shanghai) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day], from: instant)
        self.init(year: parts.year!, month: parts.month!, day: parts.day!)!
    }
}

/// Parses ISO 8601 timestamps with an offset, such as `2020-05-04T09:00:00+08:00`.
public enum Timestamp {
    /// Returns nil unless the text is an ISO 8601 date-time with seconds and an explicit offset or `Z`.
    public static func parse(_ text: String) -> Date? {
        // Foundation's parser moves impossible fields forward (04-31 becomes 05-01, :60 the next minute),
        // so the date and the time of day are checked as written first.
        let characters = Array(text)
        guard characters.count >= 19, characters[10] == "T" || characters[10] == "t",
              CivilDate(String(characters[0..<10])) != nil,
              let hour = Int(String(characters[11..<13])), let minute = Int(String(characters[14..<16])),
              let second = Int(String(characters[17..<19])), characters[13] == ":", characters[16] == ":",
              hour < 24, minute < 60, second < 60 else { return nil }
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        let plain = Date.ISO8601FormatStyle()
        return (try? plain.parse(text)) ?? (try? withFraction.parse(text))
    }

    /// Formats an instant in Asia/Shanghai with its offset, for example `2020-05-09T17:06:00+08:00`.
    public static func format(_ date: Date) -> String {
        var style = Date.ISO8601FormatStyle(timeZone: CivilDate.shanghai)
        style = style.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .colon)
        return style.format(date)
    }
}
