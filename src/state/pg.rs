//! The `pg` backend: state in PostgreSQL (schema created on first use
//! unless Terraform's `skip_*_creation` options say not to: `prepare`),
//! one row per stack with the snapshot, journal rows per completed step,
//! and a session-level advisory lock per stack, with Terraform's lock on
//! the workspace it adopts on the same session (`tflock`): a killed
//! runner's connection closes and its locks go with it. Configured like
//! Terraform's pg backend (`conn_str`, `schema_name`, `PG_*` and libpq's
//! variables: `libpq`), over TLS as lib/pq does it (`tls`).
//!
//! tokio-postgres runs on a worker thread with its own runtime, so the
//! synchronous `Backend` calls work from inside the engine's runtime.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::mpsc;

use super::crypto::Cipher;
use super::lock::{LockError, LockInfo};
use super::{Backend, Record, State, StateError};

mod connstr;
mod libpq;
mod prepare;
mod tflock;
mod tls;

pub use prepare::Creation;

type Job = Box<dyn FnOnce(&tokio_postgres::Client, &tokio::runtime::Runtime) + Send>;

pub struct PgBackend {
    schema: String,
    /// drinfra's tables, qualified up to their name (`schema.` or, in a
    /// schema where Terraform's pg backend keeps its `states` table,
    /// `schema.drinfra_`).
    tables: String,
    name: String,
    /// Terraform's pg backend rows this state adopts until drinfra
    /// writes its own.
    adopt: Option<TerraformRows>,
    describe: String,
    jobs: Mutex<mpsc::Sender<Job>>,
    cipher: Cipher,
    /// Terraform's advisory lock key this session holds with its own lock.
    terraform_key: Mutex<Option<i64>>,
}

/// The connection's worker thread could not run a job.
#[derive(Debug, thiserror::Error)]
enum WorkerError {
    #[error("poisoned lock: another task failed inside")]
    Poisoned,
    #[error("sending on a closed channel")]
    Stopped,
    #[error("receiving on a closed channel")]
    NoAnswer,
}

fn pg_err(e: impl std::fmt::Display) -> StateError {
    StateError::Remote {
        backend: "pg",
        message: e.to_string(),
    }
}

fn lock_err(e: impl std::fmt::Display) -> LockError {
    LockError::Io {
        path: "postgres".into(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// A PostgreSQL error with what the server said (tokio-postgres's own
/// text for a server error is just "db error"): severity, SQLSTATE,
/// message, detail and hint; otherwise the error and its causes.
pub fn describe(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut s = format!("{} {}: {}", db.severity(), db.code().code(), db.message());
        if let Some(d) = db.detail() {
            s.push_str(&format!(" ({d})"));
        }
        if let Some(h) = db.hint() {
            s.push_str(&format!(" Hint: {h}"));
        }
        return s;
    }
    let mut s = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        source = cause.source();
    }
    s
}

fn db_err(e: tokio_postgres::Error) -> StateError {
    pg_err(describe(&e))
}

fn db_lock_err(e: tokio_postgres::Error) -> LockError {
    lock_err(describe(&e))
}

/// A session on `config`, over TLS when there is a connector; the
/// connection runs on its own task.
async fn open(
    config: &tokio_postgres::Config,
    tls: Option<tls::Tls>,
) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    match tls {
        Some(tls) => {
            let (client, connection) = config.connect(tls).await?;
            tokio::spawn(connection);
            Ok(client)
        }
        None => {
            let (client, connection) = config.connect(tokio_postgres::NoTls).await?;
            tokio::spawn(connection);
            Ok(client)
        }
    }
}

/// The session settings for `conn_str` completed from libpq's variables
/// in `env`, and the TLS connector lib/pq's rules give (None: in the clear).
fn configure(
    conn_str: &str,
    env: &[(String, String)],
) -> Result<(tokio_postgres::Config, Option<tls::Tls>, tls::Settings), String> {
    // tokio-postgres knows only some of libpq's TLS settings: they are
    // read here and the rest is left to its parser.
    let (rest, tls_given) = connstr::split(conn_str)?;
    let mut config: tokio_postgres::Config = rest
        .parse()
        .map_err(|e| format!("invalid connection string: {}", describe(&e)))?;
    libpq::fill(&mut config, env)?;
    let ssl = tls::Settings::read(&tls_given, env)?;
    // lib/pq never uses TLS over a Unix socket.
    let unix = matches!(
        config.get_hosts().first(),
        Some(tokio_postgres::config::Host::Unix(_))
    );
    let connector = if unix { None } else { tls::connector(&ssl)? };
    config.ssl_mode(match connector {
        Some(_) => tokio_postgres::config::SslMode::Require,
        None => tokio_postgres::config::SslMode::Disable,
    });
    // Names drinfra's sessions in pg_stat_activity, so a lock holder can
    // be told apart from Terraform.
    if config.get_application_name().is_none() {
        config.application_name("drinfra");
    }
    Ok((config, connector, ssl))
}

/// A session to the database `conn_str` names, made as the backend makes
/// its own (libpq's variables from `env`, TLS by lib/pq's rules: `tls`),
/// on the caller's runtime: for other layers' PostgreSQL sessions, such as
/// the failover's database checks. Errors never contain `conn_str`.
pub async fn session(
    conn_str: &str,
    env: &[(String, String)],
) -> Result<tokio_postgres::Client, String> {
    let (config, connector, ssl) = configure(conn_str, env)?;
    open(&config, connector)
        .await
        .map_err(|e| connect_error(&e, &ssl, "the connection string"))
}

/// Why connecting failed, with the TLS settings when TLS was the cause;
/// `field` is where the connection string was given.
fn connect_error(e: &tokio_postgres::Error, ssl: &tls::Settings, field: &str) -> String {
    let text = describe(e);
    if text.contains("server does not support TLS") {
        return format!(
            "cannot connect to PostgreSQL: the server does not accept TLS, but {} asks for it (lib/pq's default, as in Terraform, is require); set sslmode=disable in {field} to connect unencrypted",
            ssl.describe()
        );
    }
    if text.contains("no encryption") && ssl.mode == tls::Mode::Disable {
        return format!(
            "cannot connect to PostgreSQL: {text}; the server takes TLS sessions only: drop sslmode=disable (require, the default, encrypts)"
        );
    }
    if text.contains("TLS") {
        return format!("cannot connect to PostgreSQL ({}): {text}", ssl.describe());
    }
    format!("cannot connect to PostgreSQL: {text}")
}

/// Where Terraform's pg backend keeps a workspace's state: the row named
/// after the workspace in `"SCHEMA".states` (columns `id`, `name`,
/// `data`: the state JSON, format 4).
#[derive(Clone, Debug)]
pub struct TerraformRows {
    /// `schema_name` as Terraform quotes it (its default is
    /// `terraform_remote_state`).
    pub schema: String,
    pub workspace: String,
}

impl TerraformRows {
    fn table(&self) -> String {
        format!("\"{}\".states", self.schema.replace('"', "\"\""))
    }
}

/// Whether an error says a table, schema or column is not there (a
/// database where Terraform never kept state).
fn is_missing(e: &tokio_postgres::Error) -> bool {
    use tokio_postgres::error::SqlState;
    e.code().is_some_and(|c| {
        *c == SqlState::UNDEFINED_TABLE
            || *c == SqlState::INVALID_SCHEMA_NAME
            || *c == SqlState::UNDEFINED_COLUMN
    })
}

/// Whether Terraform's `states` table is there (drinfra's own table of the
/// same name, in a schema given to both, has no `data` column).
async fn has_terraform_table(
    c: &tokio_postgres::Client,
    rows: &TerraformRows,
) -> Result<bool, tokio_postgres::Error> {
    Ok(c
        .query_opt(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'states' AND column_name = 'data'",
            &[&rows.schema],
        )
        .await?
        .is_some())
}

/// Terraform's state for one workspace (None: no such row or table).
async fn terraform_row(
    c: &tokio_postgres::Client,
    rows: &TerraformRows,
) -> Result<Option<String>, tokio_postgres::Error> {
    let sql = format!("SELECT data FROM {} WHERE name = $1", rows.table());
    match c.query_opt(&sql, &[&rows.workspace]).await {
        Ok(row) => Ok(row.and_then(|r| r.get::<_, Option<String>>(0))),
        Err(e) if is_missing(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A stable 64-bit advisory lock key for a stack name.
fn lock_key(schema: &str, name: &str) -> i64 {
    let d = crate::digest::digest(format!("drinfra:{schema}:{name}").as_bytes());
    u64::from_str_radix(&d, 16).unwrap_or(1) as i64
}

impl PgBackend {
    /// Connects and creates the schema if needed. `name` tells stacks
    /// sharing a database apart.
    pub fn connect(
        conn_str: &str,
        schema: &str,
        name: &str,
        cipher: Cipher,
    ) -> Result<PgBackend, StateError> {
        PgBackend::connect_with(conn_str, &[], schema, name, cipher, Creation::default())
    }

    /// As `connect`, with what `conn_str` leaves out from libpq's
    /// environment variables in `env` (as Terraform's pg backend), and
    /// creating only what `creation` allows (Terraform's `skip_*_creation`
    /// options); what is missing then is an error.
    pub fn connect_with(
        conn_str: &str,
        env: &[(String, String)],
        schema: &str,
        name: &str,
        cipher: Cipher,
        creation: Creation,
    ) -> Result<PgBackend, StateError> {
        if !schema
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(pg_err(format!("invalid schema name {schema:?}")));
        }
        let (config, connector, ssl) = configure(conn_str, env).map_err(pg_err)?;
        let (tx, rx) = mpsc::channel::<Job>();
        let (ready_tx, ready_rx) = mpsc::channel::<Result<String, String>>();
        let schema_owned = schema.to_string();
        std::thread::spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(e.to_string()));
                    return;
                }
            };
            let client = rt.block_on(async {
                let client = open(&config, connector)
                    .await
                    .map_err(|e| connect_error(&e, &ssl, "conn_str"))?;
                match prepare::prepare(&client, &schema_owned, creation).await {
                    Ok(tables) => Ok((client, tables)),
                    Err(prepare::PrepareError::Db(e)) => Err(format!(
                        "cannot prepare schema {schema_owned}: {}",
                        describe(&e)
                    )),
                    Err(prepare::PrepareError::Missing(m)) => Err(m),
                }
            });
            let client = match client {
                Ok((c, tables)) => {
                    let _ = ready_tx.send(Ok(tables));
                    c
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return;
                }
            };
            while let Ok(job) = rx.recv() {
                job(&client, &rt);
            }
        });
        let tables = ready_rx.recv().map_err(pg_err)?.map_err(pg_err)?;
        let describe = format!("pg state {tables}states[{name}]");
        Ok(PgBackend {
            schema: schema.to_string(),
            tables,
            name: name.to_string(),
            adopt: None,
            describe,
            jobs: Mutex::new(tx),
            cipher,
            terraform_key: Mutex::new(None),
        })
    }

    /// Until drinfra first writes its own snapshot, the state is Terraform's
    /// row for the workspace (adopted as recorded); afterwards a Terraform
    /// row of the same lineage with a newer serial (Terraform changed the
    /// stack after drinfra took it over) is refused rather than overlooked.
    pub fn adopting(mut self, rows: TerraformRows) -> PgBackend {
        self.adopt = Some(rows);
        self
    }

    /// The workspaces of the stack whose default workspace's row is named
    /// `base` (others are `<base>env:NAME`), with the workspaces
    /// Terraform's rows hold (one row per workspace name), `default` not
    /// included. Backup rows (`<row>.backup`) are not workspaces.
    pub fn workspaces(&self, base: &str) -> Result<BTreeSet<String>, StateError> {
        let (tables, adopt) = (self.tables.clone(), self.adopt.clone());
        let (own, terraform) = self
            .run(move |c, rt| {
                rt.block_on(async {
                    let own = c
                        .query(
                            &format!(
                                "SELECT name FROM {tables}states UNION SELECT name FROM {tables}journal"
                            ),
                            &[],
                        )
                        .await?
                        .iter()
                        .map(|r| r.get::<_, String>(0))
                        .collect::<BTreeSet<String>>();
                    let mut terraform = Vec::new();
                    if let Some(rows) = &adopt
                        && has_terraform_table(c, rows).await?
                    {
                        terraform = c
                            .query(&format!("SELECT name FROM {}", rows.table()), &[])
                            .await?
                            .iter()
                            .map(|r| r.get::<_, String>(0))
                            .collect();
                    }
                    Ok::<_, tokio_postgres::Error>((own, terraform))
                })
            })
            .map_err(pg_err)?
            .map_err(db_err)?;
        let prefix = format!("{base}env:");
        let mut names: BTreeSet<String> = own
            .iter()
            .filter(|n| !n.strip_suffix(".backup").is_some_and(|of| own.contains(of)))
            .filter_map(|n| n.strip_prefix(&prefix).map(str::to_string))
            .collect();
        names.extend(terraform);
        names.remove(crate::config::workspace::DEFAULT);
        Ok(names)
    }

    /// Deletes this state: drinfra's rows (snapshot, backup, journal,
    /// lock) and Terraform's row it adopts, under the state's advisory
    /// lock and Terraform's (refused while another session holds either).
    pub fn delete_state(&self) -> Result<(), StateError> {
        let key = lock_key(&self.schema, &self.name);
        let (tables, name, adopt) = (self.tables.clone(), self.name.clone(), self.adopt.clone());
        let taken = self
            .run(move |c, rt| {
                rt.block_on(async {
                    let terraform_key = match take_both(c, key, adopt.as_ref()).await? {
                        Taking::Got(k) => k,
                        other => return Ok(other),
                    };
                    let result = async {
                        c.batch_execute("BEGIN").await?;
                        c.execute(
                            &format!("DELETE FROM {tables}states WHERE name = $1 OR name = $1 || '.backup'"),
                            &[&name],
                        )
                        .await?;
                        c.execute(&format!("DELETE FROM {tables}journal WHERE name = $1"), &[&name])
                            .await?;
                        c.execute(&format!("DELETE FROM {tables}locks WHERE name = $1"), &[&name])
                            .await?;
                        c.batch_execute("COMMIT").await?;
                        if let Some(rows) = &adopt
                            && has_terraform_table(c, rows).await?
                        {
                            let sql = format!("DELETE FROM {} WHERE name = $1", rows.table());
                            c.execute(&sql, &[&rows.workspace]).await?;
                        }
                        Ok(Taking::Got(None))
                    }
                    .await;
                    if result.is_err() {
                        let _ = c.batch_execute("ROLLBACK").await;
                    }
                    release_both(c, key, terraform_key).await;
                    result
                })
            })
            .map_err(pg_err)?
            .map_err(db_err)?;
        match taken {
            Taking::Got(_) => Ok(()),
            Taking::Own => Err(pg_err(format!(
                "{} is locked by another session",
                self.describe
            ))),
            Taking::Terraform(k) => {
                let who = self
                    .terraform_holder_of(k)
                    .map(|h| h.who)
                    .unwrap_or_else(|_| "another session".into());
                Err(pg_err(format!("{} is locked by {who}", self.describe)))
            }
        }
    }

    /// Runs `f` on the worker's connection and waits for its result.
    fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&tokio_postgres::Client, &tokio::runtime::Runtime) -> T + Send + 'static,
    ) -> Result<T, WorkerError> {
        let (tx, rx) = mpsc::channel();
        let job: Job = Box::new(move |c, rt| {
            let _ = tx.send(f(c, rt));
        });
        self.jobs
            .lock()
            .map_err(|_| WorkerError::Poisoned)?
            .send(job)
            .map_err(|_| WorkerError::Stopped)?;
        rx.recv().map_err(|_| WorkerError::NoAnswer)
    }
}

impl Backend for PgBackend {
    fn encrypted(&self) -> bool {
        self.cipher.enabled()
    }

    fn forget(&self) -> Result<(), StateError> {
        self.delete_state()
    }

    fn describe(&self) -> String {
        self.describe.clone()
    }

    fn load(&self) -> Result<Option<State>, StateError> {
        let (tables, name, adopt) = (self.tables.clone(), self.name.clone(), self.adopt.clone());
        let rows = self
            .run(move |c, rt| {
                rt.block_on(async {
                    let snap = c
                        .query_opt(
                            &format!("SELECT snapshot, serial FROM {tables}states WHERE name = $1"),
                            &[&name],
                        )
                        .await?;
                    let journal = c
                        .query(
                            &format!(
                                "SELECT record FROM {tables}journal WHERE name = $1 ORDER BY seq"
                            ),
                            &[&name],
                        )
                        .await?;
                    let terraform = match &adopt {
                        Some(rows) => terraform_row(c, rows).await?,
                        None => None,
                    };
                    Ok::<_, tokio_postgres::Error>((
                        snap.and_then(|r| r.get::<_, Option<Vec<u8>>>(0)),
                        journal
                            .iter()
                            .map(|r| r.get::<_, Vec<u8>>(0))
                            .collect::<Vec<_>>(),
                        terraform,
                    ))
                })
            })
            .map_err(pg_err)?
            .map_err(db_err)?;
        let (snapshot, journal, terraform) = rows;
        let own: Option<State> = match snapshot {
            Some(bytes) => Some(super::decode_snapshot(
                &bytes,
                &self.cipher,
                &self.describe,
            )?),
            None => None,
        };
        let tf_origin = || {
            self.adopt
                .as_ref()
                .map(|r| format!("Terraform's pg state {}[{}]", r.table(), r.workspace))
                .unwrap_or_default()
        };
        let state = match (own, terraform) {
            // Not written by drinfra yet: Terraform's state (journal
            // records of a first run cut short continue its serial).
            (None, Some(text)) => Some(super::decode_snapshot(
                text.as_bytes(),
                &super::crypto::Cipher::default(),
                &tf_origin(),
            )?),
            (Some(own), Some(text)) => {
                if let Ok(tf) = super::decode_snapshot(
                    text.as_bytes(),
                    &super::crypto::Cipher::default(),
                    &tf_origin(),
                ) && tf.lineage == own.lineage
                    && tf.serial > own.serial
                {
                    return Err(StateError::Diverged(format!(
                        "{} (serial {}) is newer than {} (serial {}): Terraform changed the stack after drinfra adopted it. Delete drinfra's rows named {:?} (in {}states and {}journal) to adopt Terraform's state again, or delete Terraform's row",
                        tf_origin(),
                        tf.serial,
                        self.describe,
                        own.serial,
                        self.name,
                        self.tables,
                        self.tables
                    )));
                }
                Some(own)
            }
            (own, None) => own,
        };
        let records = journal
            .iter()
            .map(|raw| super::decode_record(raw, &self.cipher, &self.describe))
            .collect::<Result<Vec<_>, StateError>>()?;
        Ok(super::replay(state, records))
    }

    fn append(&self, records: &[Record]) -> Result<(), StateError> {
        if records.is_empty() {
            return Ok(());
        }
        let rows: Vec<Vec<u8>> = records
            .iter()
            .map(|r| {
                serde_json::to_vec(r)
                    .map_err(pg_err)
                    .and_then(|p| Ok(self.cipher.seal(&p)?))
            })
            .collect::<Result<_, StateError>>()?;
        let (tables, name) = (self.tables.clone(), self.name.clone());
        // One transaction per batch: durable when it commits.
        self.run(move |c, rt| {
            rt.block_on(async {
                let result = async {
                    c.batch_execute("BEGIN").await?;
                    for r in &rows {
                        c.execute(
                            &format!("INSERT INTO {tables}journal (name, record) VALUES ($1, $2)"),
                            &[&name, r],
                        )
                        .await?;
                    }
                    c.batch_execute("COMMIT").await
                }
                .await;
                // A failed statement leaves the transaction aborted: end it,
                // or every later call on this connection fails too.
                if result.is_err() {
                    let _ = c.batch_execute("ROLLBACK").await;
                }
                result
            })
        })
        .map_err(pg_err)?
        .map_err(db_err)
    }

    fn compact(&self, state: &State) -> Result<(), StateError> {
        let snap = self
            .cipher
            .seal(&serde_json::to_vec(state).map_err(pg_err)?)?;
        // The column is informational (the snapshot holds the serial); a serial
        // beyond BIGINT's range is recorded as its largest value, not wrapped.
        let (tables, name, serial) = (
            self.tables.clone(),
            self.name.clone(),
            i64::try_from(state.serial).unwrap_or(i64::MAX),
        );
        self.run(move |c, rt| {
            rt.block_on(async {
                let result = async {
                    c.batch_execute("BEGIN").await?;
                    // The previous snapshot stays as the backup row.
                    c.execute(&format!("INSERT INTO {tables}states (name, snapshot, serial) SELECT $1 || '.backup', snapshot, serial FROM {tables}states WHERE name = $1 ON CONFLICT (name) DO UPDATE SET snapshot = excluded.snapshot, serial = excluded.serial"), &[&name]).await?;
                    c.execute(&format!("INSERT INTO {tables}states (name, snapshot, serial) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET snapshot = excluded.snapshot, serial = excluded.serial"), &[&name, &snap, &serial]).await?;
                    c.execute(&format!("DELETE FROM {tables}journal WHERE name = $1"), &[&name]).await?;
                    c.batch_execute("COMMIT").await
                }
                .await;
                if result.is_err() {
                    let _ = c.batch_execute("ROLLBACK").await;
                }
                result
            })
        })
        .map_err(pg_err)?
        .map_err(db_err)
    }

    fn lock(&self, info: &LockInfo) -> Result<(), LockError> {
        let key = lock_key(&self.schema, &self.name);
        let (tables, name, adopt, text) = (
            self.tables.clone(),
            self.name.clone(),
            self.adopt.clone(),
            serde_json::to_string(info).unwrap_or_default(),
        );
        let taken = self
            .run(move |c, rt| {
                rt.block_on(async {
                    let terraform_key = match take_both(c, key, adopt.as_ref()).await? {
                        Taking::Got(k) => k,
                        other => return Ok(other),
                    };
                    let result = async {
                        // The row names the session holding the advisory lock,
                        // so a reader never takes a previous holder's row for ours.
                        c.execute(&format!("INSERT INTO {tables}locks (name, info, backend_pid) VALUES ($1, $2, pg_backend_pid()) ON CONFLICT (name) DO UPDATE SET info = excluded.info, backend_pid = excluded.backend_pid"), &[&name, &text]).await?;
                        Ok::<_, tokio_postgres::Error>(Taking::Got(terraform_key))
                    }
                    .await;
                    if result.is_err() {
                        release_both(c, key, terraform_key).await;
                    }
                    result
                })
            })
            .map_err(lock_err)?
            .map_err(db_lock_err)?;
        match taken {
            Taking::Got(k) => {
                *self.terraform_key.lock().unwrap_or_else(|e| e.into_inner()) = k;
                Ok(())
            }
            Taking::Own => match self.holder()? {
                Some((h, _)) => Err(LockError::Held(Box::new(h))),
                // Released meanwhile: the caller tries again.
                None => Err(LockError::Held(Box::new(self.just_released()))),
            },
            Taking::Terraform(k) => Err(LockError::Held(Box::new(self.terraform_holder_of(k)?))),
        }
    }

    fn unlock(&self, id: &str) -> Result<(), LockError> {
        let (holder, backend_pid) = self.holder()?.ok_or(LockError::NotLocked)?;
        if holder.id != id {
            return Err(LockError::Mismatch {
                given: id.to_string(),
                current: holder.id,
            });
        }
        let key = lock_key(&self.schema, &self.name);
        let (tables, name) = (self.tables.clone(), self.name.clone());
        let terraform_key = *self.terraform_key.lock().unwrap_or_else(|e| e.into_inner());
        self.run(move |c, rt| {
            rt.block_on(async {
                let mine: bool = c.query_one("SELECT pg_advisory_unlock($1)", &[&key]).await?.get(0);
                if mine && let Some(k) = terraform_key {
                    tflock::unlock(c, k).await?;
                }
                c.execute(&format!("DELETE FROM {tables}locks WHERE name = $1 AND (backend_pid IS NULL OR backend_pid IS NOT DISTINCT FROM $2)"), &[&name, &backend_pid]).await?;
                if !mine {
                    // Held by another session (a stuck runner): end that
                    // session, which releases its advisory lock
                    // (force-unlock), and only if it still holds it.
                    if let Some(pid) = backend_pid {
                        c.execute("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = $1 AND pid = $2", &[&key, &pid]).await?;
                    }
                }
                Ok::<_, tokio_postgres::Error>(())
            })
        })
        .map_err(lock_err)?
        .map_err(db_lock_err)?;
        *self.terraform_key.lock().unwrap_or_else(|e| e.into_inner()) = None;
        Ok(())
    }

    fn lock_holder(&self) -> Result<Option<LockInfo>, LockError> {
        if let Some((h, _)) = self.holder()? {
            return Ok(Some(h));
        }
        self.terraform_holder()
    }
}

/// What taking the state's locks found.
enum Taking {
    /// Both taken (with Terraform's key, when there is one to hold).
    Got(Option<i64>),
    /// drinfra's own lock is held by another session.
    Own,
    /// Terraform's lock (this key) is held by another session.
    Terraform(i64),
}

/// Takes the state's advisory lock (`key`) and, on the same session,
/// Terraform's lock on the adopted workspace: both go together, with the
/// session if the runner dies. Neither is kept unless both are held.
async fn take_both(
    c: &tokio_postgres::Client,
    key: i64,
    adopt: Option<&TerraformRows>,
) -> Result<Taking, tokio_postgres::Error> {
    let got: bool = c
        .query_one("SELECT pg_try_advisory_lock($1)", &[&key])
        .await?
        .get(0);
    if !got {
        return Ok(Taking::Own);
    }
    let terraform = match adopt {
        Some(rows) => tflock::take(c, rows).await,
        None => Ok(Ok(None)),
    };
    if !matches!(terraform, Ok(Ok(_))) {
        release_both(c, key, None).await;
    }
    Ok(match terraform? {
        Ok(k) => Taking::Got(k),
        Err(k) => Taking::Terraform(k),
    })
}

/// Releases what `take_both` took (best effort: the locks go with the
/// session anyway).
async fn release_both(c: &tokio_postgres::Client, key: i64, terraform_key: Option<i64>) {
    if let Some(k) = terraform_key {
        let _ = tflock::unlock(c, k).await;
    }
    let _ = c.execute("SELECT pg_advisory_unlock($1)", &[&key]).await;
}

impl PgBackend {
    /// A holder that let go between the attempt and the look: the caller
    /// tries again.
    fn just_released(&self) -> LockInfo {
        LockInfo {
            id: String::new(),
            operation: "unknown".into(),
            who: "another session (just released)".into(),
            host: String::new(),
            pid: 0,
            created: String::new(),
            ci_run_url: None,
            path: self.describe.clone(),
        }
    }

    /// Who holds Terraform's lock `key` on the adopted workspace: Terraform
    /// (which records nothing about itself in PostgreSQL), or another
    /// drinfra run adopting the same row (its sessions are named drinfra).
    fn terraform_holder_of(&self, key: i64) -> Result<LockInfo, LockError> {
        let held = self
            .run(move |c, rt| rt.block_on(tflock::holder_of(c, key)))
            .map_err(lock_err)?
            .map_err(db_lock_err)?;
        Ok(match held {
            Some(h) => self.terraform_info(key, h),
            None => self.just_released(),
        })
    }

    /// The holder of Terraform's lock on the adopted workspace, if any.
    fn terraform_holder(&self) -> Result<Option<LockInfo>, LockError> {
        let Some(rows) = self.adopt.clone() else {
            return Ok(None);
        };
        let held = self
            .run(move |c, rt| rt.block_on(tflock::holder(c, &rows)))
            .map_err(lock_err)?
            .map_err(db_lock_err)?;
        Ok(held.map(|(key, h)| self.terraform_info(key, h)))
    }

    fn terraform_info(&self, key: i64, (pid, app, since): (i32, String, String)) -> LockInfo {
        let at = self
            .adopt
            .as_ref()
            .map(|r| format!("Terraform's pg state {}[{}]", r.table(), r.workspace))
            .unwrap_or_default();
        let who = if app.starts_with("drinfra") {
            format!("another drinfra run using {at} (PostgreSQL session {pid})")
        } else if key == tflock::CREATION_KEY {
            format!(
                "Terraform, creating a workspace (PostgreSQL advisory lock {key}, session {pid})"
            )
        } else {
            format!("Terraform (PostgreSQL advisory lock {key}, session {pid})")
        };
        LockInfo {
            id: String::new(),
            operation: "unknown".into(),
            who,
            host: String::new(),
            pid: 0,
            created: since,
            ci_run_url: None,
            // Where to look, and how such a lock is removed by hand.
            path: format!(
                "{at}; the lock ends with PostgreSQL session {pid}: SELECT pg_terminate_backend({pid})"
            ),
        }
    }

    /// The session holding the stack's advisory lock and what it recorded,
    /// with its backend pid. A holder that has taken the lock but not yet
    /// written its row is waited for briefly (never reported with an empty
    /// ID or a previous holder's details).
    fn holder(&self) -> Result<Option<(LockInfo, Option<i32>)>, LockError> {
        let key = lock_key(&self.schema, &self.name);
        for attempt in 0..50 {
            let (tables, name) = (self.tables.clone(), self.name.clone());
            let (held_by, row) = self
                .run(move |c, rt| {
                    rt.block_on(async {
                        let held_by: Option<i32> = c.query_opt("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = $1 LIMIT 1", &[&key]).await?.map(|r| r.get(0));
                        let row = c.query_opt(&format!("SELECT info, backend_pid FROM {tables}locks WHERE name = $1"), &[&name]).await?.map(|r| (r.get::<_, String>(0), r.get::<_, Option<i32>>(1)));
                        Ok::<_, tokio_postgres::Error>((held_by, row))
                    })
                })
                .map_err(lock_err)?
                .map_err(db_lock_err)?;
            let Some(pid) = held_by else { return Ok(None) };
            // The holder's row, or one written by a drinfra that did not
            // record the session.
            if let Some((text, b)) = row
                && (b == Some(pid) || b.is_none())
                && let Ok(info) = serde_json::from_str::<LockInfo>(&text)
            {
                return Ok(Some((info, Some(pid))));
            }
            if attempt == 49 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        // Held by a session that records nothing (not drinfra).
        let mut info = self.just_released();
        info.who = "another PostgreSQL session".into();
        Ok(Some((info, None)))
    }
}
