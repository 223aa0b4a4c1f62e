//! Terraform's pg backend lock, taken by drinfra too so that the two
//! exclude each other on a workspace. Terraform (internal/backend/
//! remote-state/pg, client.go) takes a session advisory lock,
//! `pg_try_advisory_lock`, keyed by the workspace row's `id`; while the
//! row does not exist yet it takes key -1 to create it, briefly.

use tokio_postgres::Client;

use super::TerraformRows;

/// Terraform's key while it creates a workspace's row (any workspace).
pub(super) const CREATION_KEY: i64 = -1;

/// Terraform's row for the workspace, as far as the lock is concerned.
enum Row {
    /// No Terraform table in the schema: nothing of Terraform's to lock.
    NoTable,
    Absent,
    Id(i64),
}

async fn row(c: &Client, rows: &TerraformRows) -> Result<Row, tokio_postgres::Error> {
    let sql = format!("SELECT id::bigint FROM {} WHERE name = $1", rows.table());
    match c.query_opt(&sql, &[&rows.workspace]).await {
        Ok(Some(r)) => Ok(Row::Id(r.get(0))),
        Ok(None) => Ok(Row::Absent),
        // No table, or drinfra's own `states` (no `id`) in a schema given
        // to both.
        Err(e) if super::is_missing(&e) => Ok(Row::NoTable),
        Err(e) => Err(e),
    }
}

async fn try_lock(c: &Client, key: i64) -> Result<bool, tokio_postgres::Error> {
    Ok(c.query_one("SELECT pg_try_advisory_lock($1)", &[&key])
        .await?
        .get(0))
}

pub(super) async fn unlock(c: &Client, key: i64) -> Result<(), tokio_postgres::Error> {
    c.execute("SELECT pg_advisory_unlock($1)", &[&key]).await?;
    Ok(())
}

/// Takes Terraform's lock on this session: Ok(Some(key)) held until
/// released, Ok(None) nothing to hold (no Terraform table or row),
/// Err(key) another session holds `key`.
///
/// Without a row, -1 is taken only to look again under it (a Terraform
/// creating the row right then is waited for), never kept: Terraform
/// takes -1 for every workspace's lock, so keeping it would stop every
/// Terraform run on the database. A Terraform run that creates the row
/// later starts from an empty state, not from drinfra's.
pub(super) async fn take(
    c: &Client,
    rows: &TerraformRows,
) -> Result<Result<Option<i64>, i64>, tokio_postgres::Error> {
    let lock_row = |id: i64| async move {
        Ok::<_, tokio_postgres::Error>(if try_lock(c, id).await? {
            Ok(Some(id))
        } else {
            Err(id)
        })
    };
    match row(c, rows).await? {
        Row::NoTable => Ok(Ok(None)),
        Row::Id(id) => lock_row(id).await,
        Row::Absent => {
            if !try_lock(c, CREATION_KEY).await? {
                return Ok(Err(CREATION_KEY));
            }
            let out = match row(c, rows).await {
                Ok(Row::Id(id)) => lock_row(id).await,
                Ok(_) => Ok(Ok(None)),
                Err(e) => Err(e),
            };
            unlock(c, CREATION_KEY).await?;
            out
        }
    }
}

/// The session holding advisory lock `key` in this database, other than
/// this one: its pid, application name and start (UTC, RFC 3339).
pub(super) async fn holder_of(
    c: &Client,
    key: i64,
) -> Result<Option<(i32, String, String)>, tokio_postgres::Error> {
    Ok(c.query_opt(
        "SELECT l.pid, coalesce(a.application_name, ''), coalesce(to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')
           FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
            AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND ((l.classid::bigint << 32) | l.objid::bigint) = $1
            AND l.pid <> pg_backend_pid()
          LIMIT 1",
        &[&key],
    )
    .await?
    .map(|r| (r.get(0), r.get(1), r.get(2))))
}

/// The session holding Terraform's lock on the workspace, if any (the
/// row's key, or -1 while there is no row).
pub(super) async fn holder(
    c: &Client,
    rows: &TerraformRows,
) -> Result<Option<(i64, (i32, String, String))>, tokio_postgres::Error> {
    let key = match row(c, rows).await? {
        Row::NoTable => return Ok(None),
        Row::Absent => CREATION_KEY,
        Row::Id(id) => id,
    };
    Ok(holder_of(c, key).await?.map(|h| (key, h)))
}
