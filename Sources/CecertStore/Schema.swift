import CecertCore
import Foundation

/// The store's schema as an ordered list of migrations. A migration, once released, is never edited:
/// a change is a new entry at the end.
enum Schema {
    static let migrations: [(version: Int, sql: String)] = [
        (1, """
        CREATE TABLE batches (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            opens_on TEXT NOT NULL,
            closes_on TEXT NOT NULL,
            norms_json TEXT,
            acceptance_points_json TEXT
        );
        CREATE TABLE applicants (
            id_number TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            phone TEXT NOT NULL DEFAULT '',
            email TEXT NOT NULL DEFAULT '',
            region TEXT NOT NULL,
            work_unit TEXT NOT NULL
        );
        CREATE TABLE applications (
            id TEXT PRIMARY KEY,
            batch_code TEXT NOT NULL REFERENCES batches(code),
            applicant_id TEXT NOT NULL REFERENCES applicants(id_number),
            acceptance_point TEXT NOT NULL,
            title_level TEXT,
            title_name TEXT,
            title_obtained_on TEXT,
            declaration TEXT NOT NULL,
            qualification_years REAL NOT NULL,
            submitted_at TEXT,
            state TEXT NOT NULL DEFAULT 'draft',
            version INTEGER NOT NULL DEFAULT 0,
            source_hash TEXT NOT NULL
        );
        CREATE INDEX applications_by_batch ON applications(batch_code, state);
        CREATE TABLE courses (
            application_id TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            year INTEGER NOT NULL,
            category TEXT NOT NULL CHECK (category IN ('public', 'professional')),
            title TEXT NOT NULL,
            hours_hundredths INTEGER NOT NULL CHECK (hours_hundredths > 0),
            source TEXT NOT NULL,
            evidence TEXT,
            PRIMARY KEY (application_id, position)
        );
        CREATE TABLE reviews (
            application_id TEXT NOT NULL REFERENCES applications(id),
            seq INTEGER NOT NULL,
            stage TEXT NOT NULL CHECK (stage IN ('pre', 'final')),
            decision TEXT NOT NULL CHECK (decision IN ('approved', 'returned')),
            reviewer TEXT NOT NULL,
            at TEXT NOT NULL,
            comment TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (application_id, seq)
        );
        CREATE TRIGGER reviews_append_only_update BEFORE UPDATE ON reviews
            BEGIN SELECT RAISE(ABORT, 'review decisions are append-only'); END;
        CREATE TRIGGER reviews_append_only_delete BEFORE DELETE ON reviews
            BEGIN SELECT RAISE(ABORT, 'review decisions are append-only'); END;
        CREATE TABLE signing_keys (
            key_id TEXT PRIMARY KEY,
            public_key BLOB NOT NULL,
            created_at TEXT NOT NULL,
            retired_at TEXT
        );
        CREATE TABLE certificates (
            number TEXT PRIMARY KEY,
            area TEXT NOT NULL,
            year INTEGER NOT NULL,
            serial INTEGER NOT NULL,
            application_id TEXT NOT NULL REFERENCES applications(id),
            verification_code TEXT NOT NULL UNIQUE,
            record_json BLOB NOT NULL,
            signature BLOB NOT NULL,
            key_id TEXT NOT NULL REFERENCES signing_keys(key_id),
            pdf_sha256 TEXT NOT NULL,
            template_version TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'valid' CHECK (state IN ('valid', 'revoked', 'superseded')),
            revoked_at TEXT,
            revocation_reason TEXT,
            revocation_comment TEXT,
            superseded_by TEXT REFERENCES certificates(number),
            issued_at TEXT NOT NULL,
            UNIQUE (area, year, serial)
        );
        CREATE UNIQUE INDEX one_current_certificate ON certificates(application_id) WHERE state != 'superseded';
        CREATE INDEX certificates_by_hash ON certificates(pdf_sha256);
        CREATE TABLE prints (
            number TEXT NOT NULL REFERENCES certificates(number),
            at TEXT NOT NULL,
            channel TEXT NOT NULL
        );
        CREATE TABLE events (
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            subject TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        );
        """),
        (2, """
        CREATE TABLE templates (
            version TEXT PRIMARY KEY,
            sha256 TEXT NOT NULL,
            content BLOB NOT NULL,
            recorded_at TEXT NOT NULL
        );
        """),
        // Issuing counts an application's earlier certificates, which scanned the whole table without it.
        (3, """
        CREATE INDEX certificates_by_application ON certificates(application_id);
        """),
        // A person may declare from different work units over the years, so each application keeps the
        // unit it was declared with; the applicant row keeps the latest one.
        (4, """
        ALTER TABLE applications ADD COLUMN work_unit TEXT;
        UPDATE applications SET work_unit = (SELECT work_unit FROM applicants WHERE id_number = applicant_id);
        """),
    ]

    /// Applies every migration newer than the store's version, each in its own transaction.
    /// - Throws: `CecertError(.storage)` when the store is newer than this build supports.
    static func migrate(_ connection: SQLiteConnection) throws {
        try connection.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
        try connection.withTransaction {
            let current = try connection.queryRow("SELECT MAX(version) AS version FROM schema_migrations")?.int("version") ?? 0
            let latest = migrations.last!.version
            guard current <= latest else {
                throw CecertError(.storage, "store \(connection.path) has schema version \(current); this build knows up to \(latest)")
            }
            for migration in migrations where migration.version > current {
                try connection.execute(migration.sql)
                try connection.run("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                                   [.int(migration.version), .text(Timestamp.format(Date()))])
            }
        }
    }

    static var latestVersion: Int { migrations.last!.version }
}
