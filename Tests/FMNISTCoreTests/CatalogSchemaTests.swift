import Foundation
import Testing

@testable import FMNISTCore

/// Opening, migrating and refusing catalogs.
@Suite struct CatalogSchemaTests {
    @Test func freshCatalogIsMigratedToTheCurrentSchemaInWALMode() throws {
        let ws = try ScratchWorkspace("schema")
        let catalog = try Catalog.open(ws.layout)
        #expect(try catalog.schemaVersion() == CatalogSchema.currentVersion)
        #expect(try catalog.db.queryFirst("PRAGMA journal_mode", [], { $0.string(0) }) == "wal")
        #expect(try catalog.db.scalarInt("PRAGMA foreign_keys") == 1)
        #expect(try catalog.integrityCheck() == "ok")
        catalog.close()
        // Reopening does not migrate again.
        let again = try Catalog.open(ws.layout)
        #expect(try again.schemaVersion() == CatalogSchema.currentVersion)
    }

    @Test func newerSchemaIsRefusedAndTheFileIsLeftAlone() throws {
        let ws = try ScratchWorkspace("newer")
        try Catalog.open(ws.layout).close()
        let raw = try SQLiteDatabase(path: ws.layout.catalogFile.path, mode: .readWrite)
        try raw.execute("PRAGMA user_version = 99")
        raw.close()
        let before = try Data(contentsOf: ws.layout.catalogFile)
        for readOnly in [false, true] {
            let error = #expect(throws: CatalogError.self) { try Catalog(file: ws.layout.catalogFile, readOnly: readOnly) }
            #expect(error == .newerSchema(path: ws.layout.catalogFile.path, found: 99, supported: CatalogSchema.currentVersion))
            #expect(error?.exitStatus == .workspace)
            #expect(error?.hint?.contains("upgrade fmnist") == true)
        }
        #expect(try Data(contentsOf: ws.layout.catalogFile) == before)
    }

    @Test func aFileThatIsNotSQLiteIsRefusedNeverOverwritten() throws {
        let ws = try ScratchWorkspace("corrupt")
        try ws.layout.createPrivateDirectories()
        let garbage = Data("this is not a database, it is a text file\n".utf8)
        try garbage.write(to: ws.layout.catalogFile)
        for readOnly in [false, true] {
            let error = #expect(throws: CatalogError.self) { try Catalog(file: ws.layout.catalogFile, readOnly: readOnly) }
            guard case .corrupt(let path, _) = error else {
                Issue.record("expected .corrupt, got \(String(describing: error))")
                continue
            }
            #expect(path == ws.layout.catalogFile.path)
            #expect(error!.description.contains("will not overwrite"))
            #expect(error!.hint?.contains("mv ") == true)
        }
        #expect(try Data(contentsOf: ws.layout.catalogFile) == garbage)
    }

    @Test func damagedPagesBehindAValidHeaderGiveATypedErrorNotACrash() throws {
        let ws = try ScratchWorkspace("damaged")
        let catalog = try Catalog.open(ws.layout)
        for index in 0..<50 { try catalog.recordEvent(.verify, dataset: "mnist", versionID: nil, result: .ok, detailsJSON: "{\"i\":\(index)}") }
        try catalog.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        catalog.close()
        var bytes = [UInt8](try Data(contentsOf: ws.layout.catalogFile))
        for index in 100..<bytes.count { bytes[index] = UInt8(truncatingIfNeeded: index &* 31) }
        try Data(bytes).write(to: ws.layout.catalogFile)
        #expect(throws: CatalogError.self) {
            let reader = try Catalog(file: ws.layout.catalogFile, readOnly: true)
            _ = try reader.events(limit: 100)
            _ = try reader.versions()
        }
    }

    @Test func readOnlyOpenOfAMissingCatalogIsEmptyAndCreatesNothing() throws {
        let ws = try ScratchWorkspace("missing")
        let catalog = try Catalog.openReadOnly(ws.layout)
        #expect(catalog.isEphemeral)
        #expect(try catalog.versions().isEmpty)
        #expect(try catalog.events().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: ws.layout.privateDirectory.path))
    }

    @Test func readOnlyConnectionReadsButRefusesWrites() throws {
        let ws = try ScratchWorkspace("ro")
        let writer = try Catalog.open(ws.layout)
        try writer.recordEvent(.fetch, dataset: "fashion", versionID: nil, result: .failed)
        let reader = try Catalog.openReadOnly(ws.layout)
        #expect(reader.isReadOnly)
        #expect(try reader.events().count == 1)
        let error = #expect(throws: CatalogError.self) {
            try reader.recordEvent(.fetch, dataset: "fashion", versionID: nil, result: .ok)
        }
        #expect(error == .readOnly(path: ws.layout.catalogFile.path))
        // Writes by another connection are visible to the reader.
        try writer.recordEvent(.verify, dataset: "fashion", versionID: nil, result: .ok)
        #expect(try reader.events().count == 2)
    }

    @Test func readOnlyOpenOfAnOlderSchemaUpgradesItOnce() throws {
        let ws = try ScratchWorkspace("older")
        try ws.layout.createPrivateDirectories()
        _ = FileManager.default.createFile(atPath: ws.layout.catalogFile.path, contents: Data())  // user_version 0
        let reader = try Catalog.openReadOnly(ws.layout)
        #expect(try reader.schemaVersion() == CatalogSchema.currentVersion)
        #expect(try reader.versions().isEmpty)
    }

    @Test func aWriterBlockedPastTheBusyTimeoutGetsABusyError() throws {
        let ws = try ScratchWorkspace("busy")
        let holder = try Catalog.open(ws.layout)
        let other = try Catalog.open(ws.layout, busyTimeout: 0.2)
        try holder.db.execute("BEGIN IMMEDIATE")
        let error = #expect(throws: CatalogError.self) {
            try other.recordEvent(.verify, dataset: nil, versionID: nil, result: .ok)
        }
        #expect(error == .busy(path: ws.layout.catalogFile.path))
        try holder.db.execute("ROLLBACK")
        try other.recordEvent(.verify, dataset: nil, versionID: nil, result: .ok)
    }

    @Test func aFailedTransactionLeavesNoRecord() throws {
        let ws = try ScratchWorkspace("rollback")
        let catalog = try Catalog.open(ws.layout)
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try catalog.transaction {
                try catalog.recordEvent(.import, dataset: "mnist", versionID: nil, result: .ok)
                throw Boom()
            }
        }
        #expect(try catalog.events().isEmpty)
    }

    @Test func sqliteErrorsCarryTheStatementAndMapToWorkspaceExit() throws {
        let db = try SQLiteDatabase(path: ":memory:", mode: .memory)
        let error = #expect(throws: SQLiteError.self) { try db.execute("SELECT * FROM no_such_table") }
        #expect(error?.message.contains("no_such_table") == true)
        #expect(error?.exitStatus == .workspace)
    }
}
