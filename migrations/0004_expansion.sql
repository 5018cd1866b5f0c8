-- netipam schema, version 4: subnet expansion. The topology file's
-- expansion: settings are stored where every process reads them (written
-- by topo import in its atomic batch); expanded blocks are found through
-- their source for reclaim.

CREATE TABLE settings (
    key        TEXT PRIMARY KEY CHECK (key <> ''),
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX subnets_source ON subnets (source, tor_id);
