//! Persistence in SQLite (WAL journal): resources, operations in flight,
//! replicated data-plane writes, and emulator metadata. Survives restarts
//! and kills without corruption; every request's changes are one
//! transaction.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value as J;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("emulator store: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("emulator store: {0}")]
    Random(#[from] crate::random::RandomError),
}

pub struct Store {
    pub conn: Connection,
}

/// One stored resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: String,
    pub ty: String,
    pub body: J,
    pub etag: String,
}

/// An operation in flight or finished.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Operation {
    pub id: String,
    /// Resource the operation acts on (its id).
    pub resource: String,
    /// create, update, delete, or an action name.
    pub kind: String,
    /// Running, Succeeded, Failed.
    pub status: String,
    pub start: f64,
    pub finish: f64,
    /// Resource ids to set (Some body) or remove (None) when it succeeds.
    pub effects: Vec<(String, String, Option<J>)>,
    pub error: Option<(String, String)>,
    /// Body returned by the operation's result URL (actions).
    pub result: Option<J>,
    pub namespace: String,
    pub location: String,
    pub subscription: String,
}

pub fn key(id: &str) -> String {
    id.trim_end_matches('/').to_lowercase()
}

impl Store {
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).ok();
        let conn = Connection::open(dir.join("emulator.sqlite"))?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL;
             PRAGMA synchronous=NORMAL;
             PRAGMA busy_timeout=5000;
             CREATE TABLE IF NOT EXISTS resources (
               key TEXT PRIMARY KEY, id TEXT NOT NULL, type TEXT NOT NULL, parent TEXT NOT NULL,
               sub TEXT NOT NULL, rg TEXT NOT NULL, body TEXT NOT NULL, etag TEXT NOT NULL, seq INTEGER NOT NULL);
             CREATE INDEX IF NOT EXISTS resources_by_parent ON resources(type, parent);
             CREATE INDEX IF NOT EXISTS resources_by_sub ON resources(type, sub);
             CREATE TABLE IF NOT EXISTS operations (id TEXT PRIMARY KEY, status TEXT NOT NULL, finish REAL NOT NULL, doc TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS writes (resource TEXT NOT NULL, seq INTEGER NOT NULL, value TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY(resource, seq));
             CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);",
        )?;
        Ok(Store { conn })
    }

    pub fn meta(&self, k: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT v FROM meta WHERE k = ?1", [k], |r| r.get(0))
            .optional()?)
    }

    pub fn set_meta(&self, k: &str, v: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO meta(k, v) VALUES (?1, ?2) ON CONFLICT(k) DO UPDATE SET v = excluded.v",
            params![k, v],
        )?;
        Ok(())
    }

    pub fn get(&self, id: &str) -> Result<Option<Row>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, type, body, etag FROM resources WHERE key = ?1",
                [key(id)],
                |r| {
                    let body: String = r.get(2)?;
                    Ok(Row {
                        id: r.get(0)?,
                        ty: r.get(1)?,
                        body: serde_json::from_str(&body).unwrap_or(J::Null),
                        etag: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// Inserts or replaces a resource; returns its new etag.
    pub fn put(
        &self,
        id: &str,
        ty: &str,
        parent: &str,
        sub: &str,
        rg: &str,
        body: &J,
    ) -> Result<String, StoreError> {
        let seq: i64 =
            self.conn
                .query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM resources", [], |r| {
                    r.get(0)
                })?;
        let etag = format!("\"{}\"", crate::random::uuid_v4()?);
        let existing_seq: Option<i64> = self
            .conn
            .query_row("SELECT seq FROM resources WHERE key = ?1", [key(id)], |r| {
                r.get(0)
            })
            .optional()?;
        self.conn.execute(
            "INSERT INTO resources(key, id, type, parent, sub, rg, body, etag, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT(key) DO UPDATE SET body = excluded.body, etag = excluded.etag",
            params![key(id), id, ty.to_lowercase(), key(parent), sub.to_lowercase(), rg.to_lowercase(), body.to_string(), etag, existing_seq.unwrap_or(seq)],
        )?;
        Ok(etag)
    }

    /// Removes a resource and everything below it.
    pub fn delete_tree(&self, id: &str) -> Result<usize, StoreError> {
        let k = key(id);
        Ok(self.conn.execute(
            "DELETE FROM resources WHERE key = ?1 OR key LIKE ?2 ESCAPE '\\'",
            params![
                k,
                format!("{}/%", k.replace('%', "\\%").replace('_', "\\_"))
            ],
        )?)
    }

    /// Resources of a type under a parent key (a resource group or resource id).
    pub fn children(&self, ty: &str, parent: &str) -> Result<Vec<Row>, StoreError> {
        self.rows("SELECT id, type, body, etag FROM resources WHERE type = ?1 AND parent = ?2 ORDER BY seq", params![ty.to_lowercase(), key(parent)])
    }

    /// Resources of a type in a subscription.
    pub fn of_type(&self, ty: &str, sub: &str) -> Result<Vec<Row>, StoreError> {
        self.rows(
            "SELECT id, type, body, etag FROM resources WHERE type = ?1 AND sub = ?2 ORDER BY seq",
            params![ty.to_lowercase(), sub.to_lowercase()],
        )
    }

    /// Resources of a type in every subscription.
    pub fn of_type_everywhere(&self, ty: &str) -> Result<Vec<Row>, StoreError> {
        self.rows(
            "SELECT id, type, body, etag FROM resources WHERE type = ?1 ORDER BY seq",
            params![ty.to_lowercase()],
        )
    }

    /// Every resource below `id` (not including it).
    pub fn descendants(&self, id: &str) -> Result<Vec<Row>, StoreError> {
        let k = key(id);
        self.rows(
            "SELECT id, type, body, etag FROM resources WHERE key LIKE ?1 ESCAPE '\\' ORDER BY seq",
            params![format!("{}/%", k.replace('%', "\\%").replace('_', "\\_"))],
        )
    }

    /// Every resource in the given subscriptions (for Resource Graph).
    pub fn all_in(&self, subs: &[String]) -> Result<Vec<Row>, StoreError> {
        let mut out = Vec::new();
        for s in subs {
            out.extend(self.rows(
                "SELECT id, type, body, etag FROM resources WHERE sub = ?1 ORDER BY seq",
                params![s.to_lowercase()],
            )?);
        }
        Ok(out)
    }

    fn rows(&self, sql: &str, p: impl rusqlite::Params) -> Result<Vec<Row>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(p, |r| {
            let body: String = r.get(2)?;
            Ok(Row {
                id: r.get(0)?,
                ty: r.get(1)?,
                body: serde_json::from_str(&body).unwrap_or(J::Null),
                etag: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    pub fn put_op(&self, op: &Operation) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO operations(id, status, finish, doc) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(id) DO UPDATE SET status = excluded.status, finish = excluded.finish, doc = excluded.doc",
            params![op.id, op.status, op.finish, serde_json::to_string(op).unwrap_or_default()],
        )?;
        Ok(())
    }

    pub fn op(&self, id: &str) -> Result<Option<Operation>, StoreError> {
        let doc: Option<String> = self
            .conn
            .query_row("SELECT doc FROM operations WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(doc.and_then(|d| serde_json::from_str(&d).ok()))
    }

    pub fn running_ops(&self) -> Result<Vec<Operation>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT doc FROM operations WHERE status = 'Running' ORDER BY finish",
        )?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows
            .filter_map(|d| d.ok().and_then(|d| serde_json::from_str(&d).ok()))
            .collect())
    }

    /// The running operation on a resource, if any.
    pub fn running_on(&self, id: &str) -> Result<Option<Operation>, StoreError> {
        Ok(self
            .running_ops()?
            .into_iter()
            .find(|o| key(&o.resource) == key(id)))
    }

    pub fn add_write(&self, resource: &str, value: &str, at: f64) -> Result<i64, StoreError> {
        let seq: i64 = self.conn.query_row(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM writes WHERE resource = ?1",
            [key(resource)],
            |r| r.get(0),
        )?;
        self.conn.execute(
            "INSERT INTO writes(resource, seq, value, at) VALUES (?1, ?2, ?3, ?4)",
            params![key(resource), seq, value, at],
        )?;
        Ok(seq)
    }

    /// Writes recorded on a resource, oldest first: (seq, value, at).
    pub fn writes(&self, resource: &str) -> Result<Vec<(i64, String, f64)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT seq, value, at FROM writes WHERE resource = ?1 ORDER BY seq")?;
        let rows = stmt.query_map([key(resource)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Replaces the writes of a resource (after promotion or restore).
    pub fn set_writes(
        &self,
        resource: &str,
        writes: &[(i64, String, f64)],
    ) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM writes WHERE resource = ?1", [key(resource)])?;
        for (seq, v, at) in writes {
            self.conn.execute(
                "INSERT INTO writes(resource, seq, value, at) VALUES (?1, ?2, ?3, ?4)",
                params![key(resource), seq, v, at],
            )?;
        }
        Ok(())
    }
}
