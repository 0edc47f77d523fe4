import Foundation

extension Catalog {
    /// Records a switch: one `switch` event plus one row per link flipped, in one transaction.
    /// Returns the event id.
    @discardableResult
    public func recordSwitch<Details: Encodable>(
        dataset: String, versionID: String, links: [(path: String, target: String)], details: Details,
        at time: Date = Date()
    ) throws -> Int64 {
        try transaction {
            let eventID = try recordEvent(.switch, dataset: dataset, versionID: versionID, result: .ok, details: details, at: time)
            for link in links {
                try db.run(
                    "INSERT INTO switches(event_id, dataset, version_id, link_path, target, time) VALUES (?, ?, ?, ?, ?, ?)",
                    [eventID, dataset, versionID, link.path, link.target, time])
            }
            return eventID
        }
    }

    /// Flipped links, newest first.
    public func switches(limit: Int = 50) throws -> [SwitchRecord] {
        try mapErrors {
            try db.query(
                "SELECT id, event_id, dataset, version_id, link_path, target, time FROM switches ORDER BY time DESC, id DESC LIMIT ?",
                [limit]
            ) { row in
                SwitchRecord(
                    id: row.int64(0), eventID: row.int64(1), dataset: row.string(2), versionID: row.string(3),
                    linkPath: row.string(4), target: row.string(5), time: row.date(6))
            }
        }
    }

    /// Registers an extra drop-in link (absolute path) that every later switch flips too, in `layout`.
    public func registerLink(path: String, layout: LinkLayout = .seed, at time: Date = Date()) throws {
        try requireWritable()
        try mapErrors { try db.run("INSERT OR IGNORE INTO links(path, registered, layout) VALUES (?, ?, ?)", [path, time, layout.rawValue]) }
    }

    /// Stops flipping a registered link (the link itself is left alone).
    public func unregisterLink(path: String) throws {
        try requireWritable()
        try mapErrors { try db.run("DELETE FROM links WHERE path = ?", [path]) }
    }

    /// The registered extra links (absolute paths), in registration order.
    public func registeredLinks() throws -> [String] {
        try registeredLinkLayouts().map(\.path)
    }

    /// The registered extra links with their layouts' names as stored, in registration order. The
    /// names are open: one a newer fmnist wrote may be unknown to this build (the services ask
    /// their ``LinkPlacements`` whether it is known); an empty one reads as nil.
    public func registeredLinkLayouts() throws -> [(path: String, layout: LinkLayout?)] {
        try mapErrors {
            try db.query("SELECT path, layout FROM links ORDER BY registered, path", []) { row in
                let name = row.string(1)
                return (row.string(0), name.isEmpty ? nil : LinkLayout(rawValue: name))
            }
        }
    }

    /// Records that `versionID` is now the version placed in `dataset`'s live folder.
    public func setLive(dataset: String, versionID: String, at time: Date = Date()) throws {
        try requireWritable()
        try mapErrors {
            try db.run(
                """
                INSERT INTO live(dataset, version_id, placed_at) VALUES (?, ?, ?)
                ON CONFLICT(dataset) DO UPDATE SET version_id = excluded.version_id, placed_at = excluded.placed_at
                """, [dataset, versionID, time])
        }
    }

    /// The version placed in `dataset`'s live folder, if any.
    public func liveVersion(dataset: String) throws -> LiveVersion? {
        try mapErrors {
            try db.queryFirst("SELECT dataset, version_id, placed_at FROM live WHERE dataset = ?", [dataset]) {
                LiveVersion(dataset: $0.string(0), versionID: $0.string(1), placedAt: $0.date(2))
            }
        }
    }
}

extension Catalog {
    /// The registered extra links of the workspace at `layout`, as absolute paths, with their layouts.
    /// Links that share a folder below `/` with the workspace root are registered relative to the root
    /// (``WorkspaceLayout/linkRegistration(for:)``), so moving a project folder that holds both keeps
    /// the registration valid, not only the symlink.
    public func registeredLinkLayouts(in workspace: WorkspaceLayout) throws -> [(path: String, layout: LinkLayout?)] {
        try registeredLinkLayouts().map { (workspace.resolveLinkRegistration($0.path), $0.layout) }
    }

    /// Registers the link at the absolute `path` in the form ``registeredLinkLayouts(in:)`` resolves.
    public func registerLink(path: String, in workspace: WorkspaceLayout, layout: LinkLayout = .seed) throws {
        try registerLink(path: workspace.linkRegistration(for: path), layout: layout)
    }

    /// Forgets the link at the absolute `path`, however it was registered.
    public func unregisterLink(path: String, in workspace: WorkspaceLayout) throws {
        try unregisterLink(path: workspace.linkRegistration(for: path))
        try unregisterLink(path: path)
    }
}
