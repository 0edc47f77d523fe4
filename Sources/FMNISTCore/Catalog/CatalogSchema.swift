/// The catalog schema and its migrations, versioned by `PRAGMA user_version`.
///
/// Migration *n* (1-based) moves a catalog from user_version n−1 to n. Append new migrations;
/// never edit a released one. A catalog whose user_version exceeds ``currentVersion`` was written
/// by a newer fmnist and is refused (``CatalogError/newerSchema(path:found:supported:)``).
public enum CatalogSchema {
    /// The schema version this build writes.
    public static var currentVersion: Int { migrations.count }

    /// Migration SQL, in order.
    static let migrations: [String] = [
        // 1: datasets, versions, files, provenance, events, switches, links, live versions, smoke-train runs.
        """
        CREATE TABLE datasets (
            name        TEXT PRIMARY KEY,
            first_seen  REAL NOT NULL
        );
        CREATE TABLE versions (
            id          TEXT PRIMARY KEY CHECK (length(id) = 64),
            short_id    TEXT NOT NULL,
            dataset     TEXT NOT NULL REFERENCES datasets(name),
            name        TEXT NOT NULL,
            known       INTEGER NOT NULL CHECK (known IN (0, 1)),
            source      TEXT NOT NULL,
            first_seen  REAL NOT NULL
        );
        CREATE INDEX versions_by_dataset ON versions(dataset, first_seen);
        CREATE TABLE files (
            version_id        TEXT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
            role              TEXT NOT NULL CHECK (role IN ('train-images', 'train-labels', 'test-images', 'test-labels')),
            name              TEXT NOT NULL,
            container_size    INTEGER NOT NULL,
            container_md5     TEXT NOT NULL,
            container_sha256  TEXT NOT NULL,
            payload_size      INTEGER NOT NULL,
            payload_sha256    TEXT NOT NULL,
            idx_type          TEXT NOT NULL,
            idx_dims          TEXT NOT NULL,
            PRIMARY KEY (version_id, role)
        );
        CREATE TABLE provenance (
            id                INTEGER PRIMARY KEY,
            version_id        TEXT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
            role              TEXT NOT NULL,
            container_sha256  TEXT NOT NULL,
            mirror_url        TEXT NOT NULL,
            http_status       INTEGER,
            etag              TEXT,
            last_modified     TEXT,
            bytes             INTEGER NOT NULL,
            resumed_from      INTEGER NOT NULL DEFAULT 0,
            duration          REAL NOT NULL,
            time              REAL NOT NULL
        );
        CREATE INDEX provenance_by_version ON provenance(version_id, role);
        CREATE TABLE events (
            id          INTEGER PRIMARY KEY,
            kind        TEXT NOT NULL CHECK (kind IN ('fetch', 'verify', 'switch', 'smoke-train', 'import')),
            dataset     TEXT,
            version_id  TEXT,
            result      TEXT NOT NULL CHECK (result IN ('ok', 'failed')),
            details     TEXT NOT NULL DEFAULT '{}',
            time        REAL NOT NULL
        );
        CREATE INDEX events_by_version ON events(version_id, kind, time);
        CREATE TABLE switches (
            id          INTEGER PRIMARY KEY,
            event_id    INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
            dataset     TEXT NOT NULL,
            version_id  TEXT NOT NULL,
            link_path   TEXT NOT NULL,
            target      TEXT NOT NULL,
            time        REAL NOT NULL
        );
        CREATE TABLE links (
            path        TEXT PRIMARY KEY,
            registered  REAL NOT NULL
        );
        CREATE TABLE live (
            dataset     TEXT PRIMARY KEY REFERENCES datasets(name),
            version_id  TEXT NOT NULL REFERENCES versions(id),
            placed_at   REAL NOT NULL
        );
        CREATE TABLE smoke_train_runs (
            id                 INTEGER PRIMARY KEY,
            event_id           INTEGER REFERENCES events(id) ON DELETE SET NULL,
            dataset            TEXT NOT NULL,
            version_id         TEXT NOT NULL,
            accuracy           REAL NOT NULL,
            loss               REAL NOT NULL,
            images_per_second  REAL NOT NULL,
            epochs             INTEGER NOT NULL,
            verdict            TEXT NOT NULL,
            report             TEXT NOT NULL DEFAULT '{}',
            time               REAL NOT NULL
        );
        CREATE INDEX smoke_train_by_version ON smoke_train_runs(version_id, time);
        """,
        // 2: stat fingerprints of files whose content was proven (store files and version directories),
        // so a fast check re-hashes only what changed since.
        """
        CREATE TABLE fingerprints (
            path            TEXT PRIMARY KEY,
            payload_sha256  TEXT NOT NULL,
            device          INTEGER NOT NULL,
            inode           INTEGER NOT NULL,
            size            INTEGER NOT NULL,
            mtime_ns        INTEGER NOT NULL,
            ctime_ns        INTEGER NOT NULL,
            checked         REAL NOT NULL
        );
        """,
        // 3: exports (`fmnist export`). A table of its own: widening the CHECK on events.kind
        // means rebuilding `events`, and with foreign keys on, dropping it would cascade into switches.
        """
        CREATE TABLE exports (
            id          INTEGER PRIMARY KEY,
            layout      TEXT NOT NULL,
            dataset     TEXT,
            version_id  TEXT,
            destination TEXT NOT NULL,
            files       INTEGER NOT NULL DEFAULT 0,
            bytes       INTEGER NOT NULL DEFAULT 0,
            result      TEXT NOT NULL CHECK (result IN ('ok', 'failed')),
            details     TEXT NOT NULL DEFAULT '{}',
            time        REAL NOT NULL
        );
        CREATE INDEX exports_by_version ON exports(version_id, time);
        """,
        // 4: the layout of each registered link (`switch --link PATH --layout`): `seed` is PATH itself
        // pointing at the live folder; `torchvision` and `keras` are symlinks fmnist keeps under PATH.
        """
        ALTER TABLE links ADD COLUMN layout TEXT NOT NULL DEFAULT 'seed' CHECK (layout IN ('seed', 'torchvision', 'keras'));
        """,
        // 5: artifacts of a version (`fetch --artifact keras`: keras's mnist.npz), stored in the store by
        // their SHA-256, with where they came from and which role each array matched.
        """
        CREATE TABLE artifacts (
            version_id     TEXT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
            loader         TEXT NOT NULL,
            name           TEXT NOT NULL,
            size           INTEGER NOT NULL,
            sha256         TEXT NOT NULL CHECK (length(sha256) = 64),
            mirror_url     TEXT,
            http_status    INTEGER,
            etag           TEXT,
            last_modified  TEXT,
            bytes          INTEGER NOT NULL DEFAULT 0,
            arrays         TEXT NOT NULL DEFAULT '{}',
            time           REAL NOT NULL,
            PRIMARY KEY (version_id, loader)
        );
        """,
        // 6: how a version no manifest knows was admitted (`accept_unknown`, `lock`, `recovered`);
        // NULL for known versions and for unknown ones recorded before this migration.
        """
        ALTER TABLE versions ADD COLUMN admitted TEXT;
        """,
        // 7: a registered link's layout is any layout's name, not one of a fixed three: each layout
        // names itself (`Layouts/`), so a new link layout needs no migration, and a build that does
        // not know a stored name reports the link as unknown instead of failing to read the table.
        // SQLite cannot change a CHECK in place: the table is rebuilt (nothing references it).
        """
        CREATE TABLE links_open (
            path        TEXT PRIMARY KEY,
            registered  REAL NOT NULL,
            layout      TEXT NOT NULL DEFAULT 'seed' CHECK (length(layout) BETWEEN 1 AND 64)
        );
        INSERT INTO links_open(path, registered, layout) SELECT path, registered, layout FROM links;
        DROP TABLE links;
        ALTER TABLE links_open RENAME TO links;
        """,
    ]

    /// Brings `db` up to ``currentVersion`` inside one IMMEDIATE transaction, so two processes
    /// opening a fresh catalog at once migrate it exactly once. Throws on a newer schema.
    static func migrate(_ db: SQLiteDatabase, path: String) throws {
        try db.transaction(.immediate) {
            let found = try db.userVersion()
            if found > currentVersion {
                throw CatalogError.newerSchema(path: path, found: found, supported: currentVersion)
            }
            for index in found..<currentVersion {
                try db.execute(migrations[index])
                try db.execute("PRAGMA user_version = \(index + 1)")
            }
        }
    }
}
