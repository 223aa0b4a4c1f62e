//! The pg backend's schema and tables on first use: created when missing,
//! or, with Terraform's `skip_schema_creation` / `skip_table_creation`,
//! only checked, with what is missing named (and the SQL that creates it).

use tokio_postgres::Client;

/// What the backend may create, as Terraform's pg backend options say.
/// `skip_index_creation` has nothing to skip: drinfra's tables have no
/// index beyond their primary keys (which come with the tables), and
/// drinfra never creates Terraform's table or its `states_by_name` index.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Creation {
    pub skip_schema: bool,
    pub skip_tables: bool,
    pub skip_index: bool,
}

/// Why the schema or tables cannot be used.
#[derive(Debug)]
pub(super) enum PrepareError {
    Db(tokio_postgres::Error),
    /// Missing, and a `skip_*` option says not to create it.
    Missing(String),
}

impl From<tokio_postgres::Error> for PrepareError {
    fn from(e: tokio_postgres::Error) -> Self {
        PrepareError::Db(e)
    }
}

/// drinfra's tables (bare names, before the prefix) and their DDL, given
/// their qualified prefix `t`.
fn tables(t: &str) -> [(&'static str, String); 3] {
    [
        (
            "states",
            format!(
                "CREATE TABLE IF NOT EXISTS {t}states (name TEXT PRIMARY KEY, snapshot BYTEA, serial BIGINT NOT NULL DEFAULT 0);"
            ),
        ),
        (
            "journal",
            format!(
                "CREATE TABLE IF NOT EXISTS {t}journal (name TEXT NOT NULL, seq BIGSERIAL, record BYTEA NOT NULL, PRIMARY KEY (name, seq));"
            ),
        ),
        (
            "locks",
            format!(
                "CREATE TABLE IF NOT EXISTS {t}locks (name TEXT PRIMARY KEY, info TEXT NOT NULL, backend_pid INTEGER);"
            ),
        ),
    ]
}

/// Whether an error is one a concurrent first use can cause (two sessions
/// creating the same schema or table: unique violation, or a deadlock).
fn is_creation_race(e: &tokio_postgres::Error) -> bool {
    use tokio_postgres::error::SqlState;
    e.code().is_some_and(|c| {
        *c == SqlState::UNIQUE_VIOLATION
            || *c == SqlState::T_R_DEADLOCK_DETECTED
            || *c == SqlState::DUPLICATE_OBJECT
            || *c == SqlState::DUPLICATE_TABLE
            || *c == SqlState::DUPLICATE_SCHEMA
    })
}

/// Makes the schema and tables ready. Concurrent first uses (a pipeline
/// starting many stacks at once) serialise on a transaction-level
/// advisory lock, so each sees what the first one created; a race with a
/// client that does not take it is retried.
/// Returns the prefix of drinfra's tables: `schema.`, or
/// `schema.drinfra_` where Terraform's pg backend already keeps its
/// `states` table (the same `schema_name` given to both).
pub(super) async fn prepare(
    client: &Client,
    schema: &str,
    creation: Creation,
) -> Result<String, PrepareError> {
    let key = super::lock_key(schema, "\0schema");
    let mut attempt = 0;
    loop {
        let result = async {
            client.batch_execute("BEGIN").await?;
            client
                .execute("SELECT pg_advisory_xact_lock($1)", &[&key])
                .await?;
            let t = prepare_in_transaction(client, schema, creation).await?;
            client.batch_execute("COMMIT").await?;
            Ok(t)
        }
        .await;
        match result {
            Ok(t) => return Ok(t),
            Err(e) => {
                let _ = client.batch_execute("ROLLBACK").await;
                attempt += 1;
                match e {
                    PrepareError::Db(db) if attempt < 5 && is_creation_race(&db) => {}
                    e => return Err(e),
                }
                tokio::time::sleep(std::time::Duration::from_millis(50 * attempt)).await;
            }
        }
    }
}

async fn prepare_in_transaction(
    client: &Client,
    schema: &str,
    creation: Creation,
) -> Result<String, PrepareError> {
    // An unquoted schema name is folded to lower case. Like Terraform,
    // look before creating: CREATE ... IF NOT EXISTS still needs the
    // privilege to create, which a user given an existing schema may lack.
    let folded = schema.to_ascii_lowercase();
    let has_schema = client
        .query_opt("SELECT 1 FROM pg_namespace WHERE nspname = $1", &[&folded])
        .await?
        .is_some();
    if !has_schema {
        if creation.skip_schema {
            return Err(PrepareError::Missing(format!(
                "schema {folded:?} does not exist, and skip_schema_creation is set, so drinfra does not create it: create it (CREATE SCHEMA {schema};) or unset skip_schema_creation"
            )));
        }
        client
            .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
            .await?;
    }
    let terraforms = client
        .query_opt(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'states' AND column_name = 'data'",
            &[&folded],
        )
        .await?
        .is_some();
    let bare = if terraforms { "drinfra_" } else { "" };
    let t = format!("{schema}.{bare}");
    let mut missing = Vec::new();
    for (name, ddl) in tables(&t) {
        let there = client
            .query_opt(
                "SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = $2",
                &[&folded, &format!("{bare}{name}")],
            )
            .await?
            .is_some();
        if !there {
            missing.push((format!("{t}{name}"), ddl));
        }
    }
    if !missing.is_empty() {
        if creation.skip_tables {
            return Err(PrepareError::Missing(format!(
                "skip_table_creation is set, so drinfra does not create its tables, and {} {} missing: create {} (or unset skip_table_creation):\n{}",
                missing
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                if missing.len() == 1 { "is" } else { "are" },
                if missing.len() == 1 { "it" } else { "them" },
                missing
                    .iter()
                    .map(|(_, d)| d.as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            )));
        }
        let ddl: Vec<&str> = missing.iter().map(|(_, d)| d.as_str()).collect();
        client.batch_execute(&ddl.join("\n")).await?;
    }
    // Lock tables from before drinfra recorded the holder's session.
    let has_pid = client
        .query_opt(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = 'backend_pid'",
            &[&folded, &format!("{bare}locks")],
        )
        .await?
        .is_some();
    if !has_pid {
        let alter = format!("ALTER TABLE {t}locks ADD COLUMN IF NOT EXISTS backend_pid INTEGER;");
        if creation.skip_tables {
            return Err(PrepareError::Missing(format!(
                "skip_table_creation is set, so drinfra does not change its tables, and {t}locks lacks the column backend_pid: add it (or unset skip_table_creation):\n{alter}"
            )));
        }
        client.batch_execute(&alter).await?;
    }
    Ok(t)
}
