import Foundation

/// A batch as the title office configures it: its window, who may declare in it, and its hour norms.
public struct BatchConfiguration: Sendable, Hashable {
    /// The batch's code, name and submission window.
    public var batch: Batch
    /// The region (所在地) an applicant must have, such as 市直. Nil admits every region.
    ///
    /// A batch with a region also requires acceptance points that start with the region and a dash,
    /// such as 市直—泰州市卫生健康委员会.
    public var region: String?
    /// The acceptance points (受理点) an application may pick. An empty list admits any point that `region` allows.
    public var acceptancePoints: [String]
    /// The hour norms that rule evaluation and issuance apply to this batch.
    public var norms: HourNorms

    public init(batch: Batch, region: String? = nil, acceptancePoints: [String] = [], norms: HourNorms = .notice2020) {
        self.batch = batch
        self.region = region
        self.acceptancePoints = acceptancePoints
        self.norms = norms
    }
}

// MARK: - Admission rules

extension BatchConfiguration {
    /// Dashes that separate a region from a unit in an acceptance point: 市直—某局, 市直-某局.
    static let pointSeparators: [Character] = ["\u{2014}", "\u{2013}", "-", "\u{FF0D}"]

    /// Returns the field and the rule that reject an application's region or acceptance point, or nil when both are admitted.
    public func admissionProblem(region applicantRegion: String, acceptancePoint: String) -> (field: String, message: String)? {
        if let region {
            guard applicantRegion == region else {
                return ("applicant.region", "batch \(batch.code) admits only applicants whose region (所在地) is \(region); this applicant's region is \(applicantRegion)")
            }
            let underRegion = acceptancePoint.hasPrefix(region)
                && acceptancePoint.dropFirst(region.count).first.map(Self.pointSeparators.contains) == true
            guard underRegion else {
                return ("acceptance_point", "batch \(batch.code) admits only acceptance points under \(region)—; \(acceptancePoint) is not one")
            }
        }
        if !acceptancePoints.isEmpty, !acceptancePoints.contains(acceptancePoint) {
            return ("acceptance_point", "acceptance point \(acceptancePoint) is not configured for batch \(batch.code); see `cecert batches show \(batch.code)`")
        }
        return nil
    }

    /// Checks that an application's region and acceptance point are admitted in this batch.
    /// - Throws: `CecertError(.workflow)` naming the rule that rejects the application.
    public func checkAdmission(region: String, acceptancePoint: String) throws {
        if let problem = admissionProblem(region: region, acceptancePoint: acceptancePoint) {
            throw CecertError(.workflow, problem.message)
        }
    }

    /// Checks that `instant` falls inside the submission window.
    ///
    /// The window runs from 00:00 on `opensOn` to 23:59:59 on `closesOn` in Asia/Shanghai, whatever the
    /// process time zone is.
    /// - Throws: `CecertError(.workflow)` naming the window and the instant in China time.
    public func checkWindow(_ instant: Date) throws {
        let day = CivilDate(instant: instant)
        guard day >= batch.opensOn, day <= batch.closesOn else {
            throw CecertError(.workflow, "batch \(batch.code) accepts submissions from \(batch.opensOn) 00:00 to \(batch.closesOn) 23:59:59 China time; \(Timestamp.format(instant)) is outside that window")
        }
    }
}

// MARK: - Norms as JSON

/// The stored JSON form of `HourNorms`, with snake_case keys and hours as decimal strings.
struct HourNormsJSON: Codable {
    var junior_per_year: Hours
    var senior_per_year: Hours
    var junior_to_intermediate_per_year: Hours
    var intermediate_to_senior_per_year: Hours
    var public_courses_per_year: Int
}

extension HourNorms {
    /// Encodes the norms as sorted-key JSON, the form stored in `batches.norms_json`.
    public func jsonText() -> String {
        let value = HourNormsJSON(junior_per_year: juniorPerYear, senior_per_year: seniorPerYear,
                                  junior_to_intermediate_per_year: juniorToIntermediatePerYear,
                                  intermediate_to_senior_per_year: intermediateToSeniorPerYear,
                                  public_courses_per_year: publicCoursesPerYear)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding a struct of strings and an integer cannot fail.
        return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
    }

    /// Parses the JSON form written by `jsonText()`.
    /// - Throws: `CecertError(.storage)` when the text is not valid norms JSON.
    public init(jsonText: String) throws {
        guard let value = try? JSONDecoder().decode(HourNormsJSON.self, from: Data(jsonText.utf8)) else {
            throw CecertError(.storage, "stored hour norms are invalid JSON: \(jsonText)")
        }
        self.init(juniorPerYear: value.junior_per_year, seniorPerYear: value.senior_per_year,
                  juniorToIntermediatePerYear: value.junior_to_intermediate_per_year,
                  intermediateToSeniorPerYear: value.intermediate_to_senior_per_year,
                  publicCoursesPerYear: value.public_courses_per_year)
    }
}
