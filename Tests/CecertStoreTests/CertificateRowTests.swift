import CecertStore
import Testing

/// Byte comparisons that decide whether a cached verification still matches its row.
struct CertificateRowTests {
    @Test("column bytes against arrays")
    func bytesAgainstArrays() {
        let stored: [UInt8] = Array("revoked".utf8)
        stored.withUnsafeBytes { column in
            #expect(CertificateRow.bytes(column, equal: Array("revoked".utf8)))
            #expect(!CertificateRow.bytes(column, equal: Array("revokeD".utf8)))
            #expect(!CertificateRow.bytes(column, equal: Array("revoke".utf8)))
            #expect(!CertificateRow.bytes(column, equal: []))
        }
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        #expect(CertificateRow.bytes(empty, equal: []))
        #expect(!CertificateRow.bytes(empty, equal: [0]))
    }

    @Test("NULL equals only NULL")
    func nullEqualsOnlyNull() {
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        #expect(CertificateRow.bytes(nil, equal: nil))
        #expect(!CertificateRow.bytes(nil, equal: []))
        #expect(!CertificateRow.bytes(empty, equal: nil))
        #expect(CertificateRow.bytes(empty, equal: [] as [UInt8]?))
    }

    @Test("column bytes against strings")
    func bytesAgainstStrings() {
        let stored: [UInt8] = Array("321200-2024-000001-C".utf8)
        stored.withUnsafeBytes { column in
            #expect(CertificateRow.bytes(column, equal: "321200-2024-000001-C"))
            #expect(!CertificateRow.bytes(column, equal: "321200-2024-000001-D"))
            #expect(!CertificateRow.bytes(column, equal: "321200-2024-000001"))
        }
        let name: [UInt8] = Array("张三".utf8)
        name.withUnsafeBytes { column in
            #expect(CertificateRow.bytes(column, equal: "张三"))
            #expect(!CertificateRow.bytes(column, equal: "张四"))
        }
        #expect(CertificateRow.bytes(UnsafeRawBufferPointer(start: nil, count: 0), equal: ""))
    }
}

/// The change generation that lets the verification server skip reading unchanged rows.
struct ChangeGenerationTests {
    @Test("stable while nothing is committed")
    func stableWithoutCommits() throws {
        let folder = TemporaryDirectory()
        let path = folder.path + "/store.sqlite"
        try ReviewStore(path: path).close()
        let directory = try StoreDirectory(path: path)
        defer { directory.close() }

        let first = try directory.changeGeneration()
        let second = try directory.changeGeneration()
        _ = try directory.withStore { try $0.certificateCount() }
        #expect(try directory.changeGeneration() == second)
        #expect(second == first)
    }

    @Test("raised by another connection's commit")
    func raisedByOtherConnection() throws {
        let folder = TemporaryDirectory()
        let path = folder.path + "/store.sqlite"
        let writer = try ReviewStore(path: path)
        defer { writer.close() }
        let directory = try StoreDirectory(path: path)
        defer { directory.close() }

        let before = try directory.changeGeneration()
        try writer.recordEvent(actor: "tester", action: "test", subject: "generation")
        let after = try directory.changeGeneration()
        #expect(after > before)
        #expect(try directory.changeGeneration() == after)
    }

    @Test("raised by a write through the directory")
    func raisedByOwnWrite() throws {
        let folder = TemporaryDirectory()
        let path = folder.path + "/store.sqlite"
        try ReviewStore(path: path).close()
        let directory = try StoreDirectory(path: path)
        defer { directory.close() }

        let before = try directory.changeGeneration()
        try directory.withStore { try $0.recordEvent(actor: "tester", action: "test", subject: "generation") }
        #expect(try directory.changeGeneration() > before)
    }
}
