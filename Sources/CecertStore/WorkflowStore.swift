import CecertCore
import Foundation

/// One row of `cecert applications list`.
public struct ApplicationSummary: Sendable, Hashable {
    public var id: String
    public var batchCode: String
    public var state: WorkflowState
    /// The compare-and-set counter: it grows by one with every change to the application.
    public var version: Int
    public var acceptancePoint: String
    public var applicantName: String
    public var idNumber: String
}

/// A submission or correction of an application, from the append-only event log.
public struct ApplicationEvent: Sendable, Hashable {
    /// `submit` or `correct`.
    public var action: String
    public var actor: String
    public var at: Date
    public var detail: String
}

/// The stored form of `batches.acceptance_points_json`: the region rule and the configured points.
struct AcceptancePointsJSON: Codable {
    var region: String?
    var points: [String]
}

// MARK: - Batch configuration

extension ReviewStore {
    /// Adds a batch with its window, admission rules and norms.
    /// - Throws: `CecertError(.conflict)` when the code is already configured.
    public func addBatch(_ configuration: BatchConfiguration) throws {
        let batch = configuration.batch
        guard batch.opensOn <= batch.closesOn else {
            throw CecertError(.invalidInput, "batch \(batch.code) closes on \(batch.closesOn), before it opens on \(batch.opensOn)")
        }
        try connection.withTransaction {
            guard try !batchExists(batch.code) else {
                throw CecertError(.conflict, "batch \(batch.code) already exists; change it with `cecert batches set-points` or `set-norms`")
            }
            try connection.run("""
                INSERT INTO batches (code, name, opens_on, closes_on, norms_json, acceptance_points_json) VALUES (?, ?, ?, ?, ?, ?)
                """, [.text(batch.code), .text(batch.name), .text(batch.opensOn.description), .text(batch.closesOn.description),
                      .text(configuration.norms.jsonText()),
                      .text(try Self.pointsJSON(region: configuration.region, points: configuration.acceptancePoints))])
        }
    }

    /// Loads the batch with its configuration, or nil when the code is unknown. Unset columns read as the
    /// defaults: no region rule, no point list and the 2020 norms.
    public func batchConfiguration(code: String) throws -> BatchConfiguration? {
        guard let row = try connection.queryRow("SELECT * FROM batches WHERE code = ?", [.text(code)]) else { return nil }
        guard let opens = row.text("opens_on").flatMap(CivilDate.init), let closes = row.text("closes_on").flatMap(CivilDate.init) else {
            throw CecertError(.storage, "batch \(code) has an invalid window in the store")
        }
        let batch = Batch(code: code, name: row.text("name") ?? "", opensOn: opens, closesOn: closes)
        let norms = try row.text("norms_json").map { try HourNorms(jsonText: $0) } ?? .notice2020
        var points = AcceptancePointsJSON(region: nil, points: [])
        if let text = row.text("acceptance_points_json") {
            guard let decoded = try? JSONDecoder().decode(AcceptancePointsJSON.self, from: Data(text.utf8)) else {
                throw CecertError(.storage, "batch \(code) has invalid acceptance points in the store: \(text)")
            }
            points = decoded
        }
        return BatchConfiguration(batch: batch, region: points.region, acceptancePoints: points.points, norms: norms)
    }

    /// Replaces a batch's region rule and acceptance points.
    public func setAcceptancePoints(batch code: String, region: String?, points: [String]) throws {
        let changed = try connection.run("UPDATE batches SET acceptance_points_json = ? WHERE code = ?",
                                         [.text(try Self.pointsJSON(region: region, points: points)), .text(code)])
        guard changed == 1 else { throw Self.unknownBatch(code) }
    }

    /// Replaces a batch's hour norms.
    public func setNorms(batch code: String, norms: HourNorms) throws {
        let changed = try connection.run("UPDATE batches SET norms_json = ? WHERE code = ?", [.text(norms.jsonText()), .text(code)])
        guard changed == 1 else { throw Self.unknownBatch(code) }
    }

    /// Returns the hour norms of a batch: the configured ones, or the 2020 notice's when none are set.
    /// - Throws: `CecertError(.notFound)` for an unknown batch.
    public func norms(batch code: String) throws -> HourNorms {
        guard let configuration = try batchConfiguration(code: code) else { throw Self.unknownBatch(code) }
        return configuration.norms
    }

    static func pointsJSON(region: String?, points: [String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(AcceptancePointsJSON(region: region, points: points)), as: UTF8.self)
    }

    static func unknownBatch(_ code: String) -> CecertError {
        CecertError(.notFound, "batch \(code) is not configured; add it with `cecert batches add \(code) ...`")
    }
}

// MARK: - Listing

extension ReviewStore {
    /// Applications matching every filter given, in id order.
    public func applications(batch: String? = nil, state: WorkflowState? = nil, acceptancePoint: String? = nil) throws
        -> [ApplicationSummary] {
        try connection.query("""
            SELECT a.id, a.batch_code, a.state, a.version, a.acceptance_point, p.name, p.id_number
            FROM applications a JOIN applicants p ON p.id_number = a.applicant_id
            WHERE (?1 IS NULL OR a.batch_code = ?1) AND (?2 IS NULL OR a.state = ?2) AND (?3 IS NULL OR a.acceptance_point = ?3)
            ORDER BY a.id
            """, [.optionalText(batch), .optionalText(state?.rawValue), .optionalText(acceptancePoint)]).map { row in
            ApplicationSummary(id: row.text("id") ?? "", batchCode: row.text("batch_code") ?? "",
                               state: WorkflowState(rawValue: row.text("state") ?? "") ?? .draft, version: row.int("version") ?? 0,
                               acceptancePoint: row.text("acceptance_point") ?? "", applicantName: row.text("name") ?? "",
                               idNumber: row.text("id_number") ?? "")
        }
    }

    /// The stored workflow state and version of an application, or nil for an unknown id.
    public func workflowStatus(applicationID: String) throws -> (state: WorkflowState, version: Int)? {
        guard let row = try connection.queryRow("SELECT state, version FROM applications WHERE id = ?", [.text(applicationID)])
        else { return nil }
        return (WorkflowState(rawValue: row.text("state") ?? "") ?? .draft, row.int("version") ?? 0)
    }

    /// Submissions and corrections of an application, oldest first.
    public func applicationEvents(applicationID: String) throws -> [ApplicationEvent] {
        try connection.query("""
            SELECT at, actor, action, detail FROM events WHERE subject = ? AND action IN ('application.submit', 'application.correct')
            ORDER BY rowid
            """, [.text(applicationID)]).map { row in
            ApplicationEvent(action: String((row.text("action") ?? "").dropFirst("application.".count)), actor: row.text("actor") ?? "",
                             at: Timestamp.parse(row.text("at") ?? "") ?? Date(timeIntervalSince1970: 0), detail: row.text("detail") ?? "")
        }
    }
}
