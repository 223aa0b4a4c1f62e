//! The verify phase: the declared health checks of the site traffic moved
//! to, run after the phases (HTTP(S) GETs and PostgreSQL queries), each
//! retried at its interval up to its attempts, reported as each settles.
//! Against the emulator, an HTTP check's URL is asked of the emulator's
//! stand-in for the site's services (`/services/HOST/PATH`), as the
//! provider's requests go to its ARM endpoint instead of Azure's.
//! Secret URLs and connection strings are never shown.

use std::time::Duration;

use crate::config::model::{CheckKind, HealthCheck, Notification};
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;

pub use super::checked::CheckResult;
use super::error::{Error, Result, Stop};
use super::event::{Event, Events, RunbookEvent};
use super::notify::Target;
use super::session::{Engine, Session};

/// A check with its expressions evaluated.
#[derive(Clone)]
pub struct Check {
    pub name: String,
    pub site: String,
    /// What the check asks, as shown (a secret URL's host only).
    pub shown: String,
    kind: Kind,
    interval: Duration,
    timeout: Duration,
    attempts: u32,
}

#[derive(Clone)]
enum Kind {
    Http {
        url: String,
        expect_status: u16,
        body_match: Option<String>,
    },
    Postgres {
        connection: String,
        query: String,
        expect: String,
    },
}

impl Check {
    pub fn is_postgres(&self) -> bool {
        matches!(self.kind, Kind::Postgres { .. })
    }
}

/// The runbook's declarations, evaluated: notification targets and checks.
#[derive(Clone, Default)]
pub struct Declared {
    pub targets: Vec<Target>,
    pub checks: Vec<Check>,
    /// Notification targets switched off (their URL is null).
    pub off: Vec<String>,
}

impl Declared {
    /// The checks of `site` (PostgreSQL ones only when `data` moved).
    pub fn checks_of(&self, site: &str, data: bool) -> Vec<Check> {
        self.checks
            .iter()
            .filter(|c| c.site == site && (data || !c.is_postgres()))
            .cloned()
            .collect()
    }
}

/// A string value of `e` in the root module (sensitive or not), or a
/// located problem.
fn string_of(
    s: &Session,
    e: &crate::config::Expr,
    diags: &mut Diagnostics,
) -> Option<(String, bool)> {
    let (v, d) = crate::config::evaluate::eval_in_root(&s.stack.config, &s.stack.inputs, &s.dir, e);
    let failed = d.has_errors();
    diags.extend(d);
    if failed {
        return None;
    }
    let v = v?;
    let (inner, sensitive) = v.unmark();
    match inner {
        Value::String(text) => Some((text.clone(), sensitive)),
        _ => {
            diags.push(
                Diagnostic::error("Invalid value")
                    .with_detail("expected a string")
                    .at(e.span()),
            );
            None
        }
    }
}

/// Evaluates the root module's `notification` and `health_check` blocks:
/// URLs from variables are checked here, at the place they are written;
/// a problem stops the run before anything changes.
pub fn declared(s: &Session, events: Events<'_>) -> Result<Declared> {
    let root = s.stack.config.root();
    let mut diags = Diagnostics::default();
    let mut out = Declared::default();
    for n in root.notifications.values() {
        match target(s, n, &mut diags) {
            Some(Some(t)) => out.targets.push(t),
            Some(None) => out.off.push(n.name.clone()),
            None => {}
        }
    }
    for c in root.health_checks.values() {
        if let Some(c) = check(s, c, &mut diags) {
            out.checks.push(c);
        }
    }
    if diags.has_errors() {
        super::session::report_diags(events, &s.stack, &diags);
        return Err(Error::Stopped(Stop::InvalidConfig));
    }
    Ok(out)
}

/// The target, `Some(None)` when switched off, None on a problem.
fn target(s: &Session, n: &Notification, diags: &mut Diagnostics) -> Option<Option<Target>> {
    // A URL that is null switches the target off (a variable left unset).
    let (v, _) =
        crate::config::evaluate::eval_in_root(&s.stack.config, &s.stack.inputs, &s.dir, &n.url);
    if v.as_ref()
        .is_some_and(|v| matches!(v.unmark().0, Value::Null))
    {
        return Some(None);
    }
    let (url, _) = string_of(s, &n.url, diags)?;
    if let Some(p) = crate::config::load::webhook_url_problem(&url) {
        diags.push(
            Diagnostic::error("Invalid URL")
                .with_detail(p)
                .at(n.url.span()),
        );
        return None;
    }
    Some(Some(Target::new(n, url)))
}

fn check(s: &Session, c: &HealthCheck, diags: &mut Diagnostics) -> Option<Check> {
    let (kind, shown) = match &c.kind {
        CheckKind::Http {
            url,
            expect_status,
            body_match,
        } => {
            let (text, secret) = string_of(s, url, diags)?;
            if let Some(p) = crate::config::load::check_url_problem(&text) {
                diags.push(
                    Diagnostic::error("Invalid URL")
                        .with_detail(p)
                        .at(url.span()),
                );
                return None;
            }
            let shown = if secret {
                // The host says which service; path and query may carry a token.
                reqwest::Url::parse(&text)
                    .ok()
                    .and_then(|u| {
                        u.host_str()
                            .map(|h| format!("GET {}://{h}/(sensitive)", u.scheme()))
                    })
                    .unwrap_or_else(|| "GET (sensitive)".into())
            } else {
                format!("GET {text}")
            };
            (
                Kind::Http {
                    url: text,
                    expect_status: *expect_status,
                    body_match: body_match.clone(),
                },
                shown,
            )
        }
        CheckKind::Postgres {
            connection,
            query,
            expect,
        } => {
            let (conn, _) = string_of(s, connection, diags)?;
            (
                Kind::Postgres {
                    connection: conn,
                    query: query.clone(),
                    expect: expect.clone(),
                },
                format!("PostgreSQL: {query} = {expect}"),
            )
        }
    };
    Some(Check {
        name: c.name.clone(),
        site: c.site.clone(),
        shown,
        kind,
        interval: c.interval,
        timeout: c.timeout,
        attempts: c.attempts,
    })
}

/// One attempt: passed, and what was seen.
async fn attempt(check: &Check, http: &Http) -> (bool, String) {
    match &check.kind {
        Kind::Http {
            url,
            expect_status,
            body_match,
        } => {
            let (client, target) = http.route(url);
            let Some(client) = client else {
                return (false, "no TLS client could be set up".into());
            };
            let resp = match client.get(&target).timeout(check.timeout).send().await {
                Ok(r) => r,
                Err(e) if e.is_timeout() => {
                    return (false, format!("no answer within {:?}", check.timeout));
                }
                Err(e) if e.is_connect() => return (false, "cannot connect".into()),
                Err(e) => return (false, e.without_url().to_string()),
            };
            let status = resp.status().as_u16();
            let body = resp.text().await.unwrap_or_default();
            if status != *expect_status {
                return (false, format!("HTTP {status}, expected {expect_status}"));
            }
            match body_match {
                Some(m) if !body.contains(m.as_str()) => {
                    (false, format!("HTTP {status}, body lacks {m:?}"))
                }
                _ => (true, format!("HTTP {status}")),
            }
        }
        Kind::Postgres {
            connection,
            query,
            expect,
        } => match tokio::time::timeout(check.timeout, pg_first(connection, query)).await {
            Err(_) => (false, format!("no answer within {:?}", check.timeout)),
            Ok(Err(e)) => (false, e),
            Ok(Ok(got)) if got == *expect => (true, format!("got {got}")),
            Ok(Ok(got)) => (false, format!("got {got}, expected {expect}")),
        },
    }
}

/// The first column of the query's first row, as text (booleans as
/// `true`/`false`); errors without the connection string. The session is
/// the pg state backend's: TLS by lib/pq's rules, `sslmode=require` when
/// the string names none (as libpq, and as Azure's portal writes it). The
/// string alone says where and how: libpq's `PG*` variables are not read,
/// so the operator's shell cannot redirect a check.
async fn pg_first(connection: &str, query: &str) -> std::result::Result<String, String> {
    let client = crate::state::pg::session(connection, &[]).await?;
    let rows = client
        .simple_query(query)
        .await
        .map_err(|e| format!("query failed: {}", pg_reason(&e)))?;
    let first = rows.into_iter().find_map(|m| match m {
        tokio_postgres::SimpleQueryMessage::Row(r) => Some(r.get(0).map(str::to_string)),
        _ => None,
    });
    match first {
        None => Err("the query returned no rows".into()),
        Some(None) => Ok("null".into()),
        Some(Some(v)) => Ok(match v.as_str() {
            "t" => "true".into(),
            "f" => "false".into(),
            _ => v,
        }),
    }
}

/// A PostgreSQL error's reason (its server message when there is one).
fn pg_reason(e: &tokio_postgres::Error) -> String {
    e.as_db_error()
        .map(|d| d.message().to_string())
        .unwrap_or_else(|| e.to_string())
}

/// How HTTP checks reach their URLs: directly, or through the emulator's
/// stand-in for the sites' services.
#[derive(Clone)]
struct Http {
    direct: Option<reqwest::Client>,
    emulated: Option<(String, reqwest::Client)>,
}

impl Http {
    fn route(&self, url: &str) -> (Option<&reqwest::Client>, String) {
        if let Some((base, client)) = &self.emulated
            && let Ok(u) = reqwest::Url::parse(url)
            && let Some(host) = u.host_str()
        {
            let mut to = format!("{base}/services/{host}{}", u.path());
            if let Some(q) = u.query() {
                to.push('?');
                to.push_str(q);
            }
            return (Some(client), to);
        }
        (self.direct.as_ref(), url.to_string())
    }
}

/// Runs `checks` together; each result is reported as it settles (on the
/// cloud's clock) and returned in the checks' order.
pub fn run(engine: &Engine, checks: &[Check], events: Events<'_>) -> Vec<CheckResult> {
    if checks.is_empty() {
        return vec![];
    }
    let http = Http {
        direct: crate::provider::azure::http::real_azure().ok(),
        emulated: engine
            .providers
            .all()
            .iter()
            .find_map(|p| p.emulated_services()),
    };
    events(Event::Runbook(RunbookEvent::Verifying {
        checks: &checks.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
    }));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, bool, u32, String)>();
    for (i, c) in checks.iter().cloned().enumerate() {
        let (tx, http) = (tx.clone(), http.clone());
        engine.rt.spawn(async move {
            let mut last = (false, String::new());
            let mut tries = 0;
            for k in 1..=c.attempts {
                tries = k;
                last = attempt(&c, &http).await;
                if last.0 {
                    break;
                }
                if k < c.attempts {
                    tokio::time::sleep(c.interval).await;
                }
            }
            let _ = tx.send((i, last.0, tries, last.1));
        });
    }
    drop(tx);
    let mut results: Vec<Option<CheckResult>> = vec![None; checks.len()];
    while let Some((i, passed, attempts, detail)) = engine.rt.block_on(rx.recv()) {
        let c = &checks[i];
        let r = CheckResult {
            name: c.name.clone(),
            site: c.site.clone(),
            what: c.shown.clone(),
            passed,
            attempts,
            detail,
            at: super::cloud_time::now(engine).0,
        };
        events(Event::Runbook(RunbookEvent::Checked { result: &r }));
        results[i] = Some(r);
    }
    results.into_iter().flatten().collect()
}
