//! Decoding the runbook's declarations beside `failover_group`:
//! `notification` targets and `health_check`s (HTTP or PostgreSQL), every
//! problem reported with its place.

use std::time::Duration;

use hcl_edit::structure::{Block, Structure};

use super::super::model::*;
use super::{Loader, err, span_of};
use crate::diag::{FileId, Span};
use crate::lang::{Type, Value};

/// Limits on a health check's timing: an interval or timeout outside them
/// is a typo more often than an intent, and a verify phase must end.
const MIN_STEP: Duration = Duration::from_millis(100);
const MAX_INTERVAL: Duration = Duration::from_secs(600);
const MAX_TIMEOUT: Duration = Duration::from_secs(120);
const MAX_ATTEMPTS: u32 = 100;

/// Why a webhook URL is refused; None when it is acceptable. A webhook
/// URL carries its token, so it must travel encrypted: HTTPS, or plain
/// HTTP only to this machine's loopback (a local relay or a test's
/// receiver), where nothing crosses a network. The URL itself is never
/// part of the message.
pub fn webhook_url_problem(url: &str) -> Option<String> {
    let Ok(u) = reqwest::Url::parse(url) else {
        return Some("the webhook URL is not a valid absolute URL".into());
    };
    match u.scheme() {
        "https" => None,
        "http" if is_loopback(&u) => None,
        "http" => Some("a webhook URL must use https:// (it carries the webhook's secret); plain http:// is accepted only for a loopback address such as 127.0.0.1".into()),
        other => Some(format!("a webhook URL must use https://, not {other}://")),
    }
}

/// Why a health check's URL is refused; None when it is acceptable.
pub fn check_url_problem(url: &str) -> Option<String> {
    let Ok(u) = reqwest::Url::parse(url) else {
        return Some("the health check URL is not a valid absolute URL".into());
    };
    match u.scheme() {
        "https" | "http" if u.host_str().is_some_and(|h| !h.is_empty()) => None,
        "https" | "http" => Some("the health check URL has no host".into()),
        other => Some(format!(
            "a health check URL must use https:// or http://, not {other}://"
        )),
    }
}

fn is_loopback(u: &reqwest::Url) -> bool {
    let Some(host) = u.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => bare.eq_ignore_ascii_case("localhost"),
    }
}

/// Whether an expression refers to nothing (it can be checked now).
fn is_literal(e: &hcl_edit::expr::Expression) -> bool {
    crate::lang::refs::references(e).is_empty()
}

impl Loader {
    /// A literal duration argument (default when absent) within limits.
    fn duration_arg(
        &mut self,
        file: FileId,
        body: &hcl_edit::structure::Body,
        name: &str,
        default: Duration,
        max: Duration,
    ) -> Duration {
        let Some(a) = self.attr(body, name) else {
            return default;
        };
        let at = span_of(file, &a.value);
        let Some(Value::String(text)) = self.literal(file, a, &Type::String) else {
            return default;
        };
        match crate::timefmt::parse_duration(&text) {
            Some(d) if (MIN_STEP..=max).contains(&d) => d,
            Some(_) => {
                self.diags.push(err(
                    "Invalid duration",
                    format!(
                        "{name} = {text:?} is out of range: between {}ms and {}s.",
                        MIN_STEP.as_millis(),
                        max.as_secs()
                    ),
                    at,
                ));
                default
            }
            None => {
                self.diags.push(err(
                    "Invalid duration",
                    format!("{name} = {text:?} is not a duration like \"10s\" or \"500ms\"."),
                    at,
                ));
                default
            }
        }
    }

    /// A required argument kept as an expression; a literal one is
    /// checked now with `problem` (an expression is checked when a run
    /// evaluates it, at the same place).
    fn url_arg(
        &mut self,
        file: FileId,
        b: &Block,
        name: &str,
        what: &str,
        problem: fn(&str) -> Option<String>,
    ) -> Option<Expr> {
        let Some(a) = self.attr(&b.body, name) else {
            self.diags.push(err(
                "Missing required argument",
                format!("A {what} needs {name} = \"https://...\" (or a variable holding it)."),
                span_of(file, &b.ident),
            ));
            return None;
        };
        if is_literal(&a.value) {
            let at = span_of(file, &a.value);
            match self.literal(file, a, &Type::String) {
                Some(Value::String(u)) => {
                    if let Some(p) = problem(&u) {
                        self.diags.push(err("Invalid URL", p, at));
                        return None;
                    }
                }
                _ => return None,
            }
        }
        Some(Expr {
            file,
            expr: a.value.clone(),
        })
    }

    /// `notification "NAME" { format = "slack"|"teams"|"webhook", url = ... }`.
    pub(super) fn decode_notification(
        &mut self,
        file: FileId,
        b: &Block,
        m: &mut Module,
        span: Span,
    ) {
        let Some(l) = self.labels(file, b, &["name"]) else {
            return;
        };
        self.check_body(file, &b.body, &["format", "url"], &[], "notification");
        let format = match self.attr(&b.body, "format") {
            None => {
                self.diags.push(err(
                    "Missing required argument",
                    "A notification needs format = \"slack\", \"teams\" or \"webhook\".",
                    span.clone(),
                ));
                None
            }
            Some(a) => {
                let at = span_of(file, &a.value);
                match self.literal(file, a, &Type::String) {
                    Some(Value::String(f)) => match f.as_str() {
                        "slack" => Some(NotifyFormat::Slack),
                        "teams" => Some(NotifyFormat::Teams),
                        "webhook" => Some(NotifyFormat::Webhook),
                        other => {
                            self.diags.push(err(
                                "Invalid format",
                                format!("{other:?} is not a notification format: \"slack\" (Slack incoming webhook), \"teams\" (Microsoft Teams incoming webhook) or \"webhook\" (drinfra's JSON)."),
                                at,
                            ));
                            None
                        }
                    },
                    _ => None,
                }
            }
        };
        let url = self.url_arg(file, b, "url", "notification", webhook_url_problem);
        let (Some(format), Some(url)) = (format, url) else {
            return;
        };
        if let Some(prev) = m.notifications.get(&l[0]) {
            let prev = prev.span.clone();
            self.duplicate("notification", &l[0], &prev, span);
            return;
        }
        m.notifications.insert(
            l[0].clone(),
            Notification {
                name: l[0].clone(),
                span,
                format,
                url,
            },
        );
    }

    /// `health_check "NAME" { site = ..., url = ... | postgres { ... } }`.
    pub(super) fn decode_health_check(
        &mut self,
        file: FileId,
        b: &Block,
        m: &mut Module,
        span: Span,
    ) {
        let Some(l) = self.labels(file, b, &["name"]) else {
            return;
        };
        self.check_body(
            file,
            &b.body,
            &[
                "site",
                "url",
                "expect_status",
                "body_match",
                "interval",
                "timeout",
                "attempts",
            ],
            &["postgres"],
            "health_check",
        );
        let site = match self.attr(&b.body, "site") {
            None => {
                self.diags.push(err(
                    "Missing required argument",
                    "A health check needs site = the failover group's site it checks.",
                    span.clone(),
                ));
                None
            }
            Some(a) => {
                let at = span_of(file, &a.value);
                match self.literal(file, a, &Type::String) {
                    Some(Value::String(s)) => Some((s, at)),
                    _ => None,
                }
            }
        };
        let pg: Vec<&Block> = b
            .body
            .iter()
            .filter_map(|s| match s {
                Structure::Block(x) if x.ident.value().as_str() == "postgres" => Some(x),
                _ => None,
            })
            .collect();
        let has_url = self.attr(&b.body, "url").is_some();
        let kind = match (pg.as_slice(), has_url) {
            ([], false) => {
                self.diags.push(err(
                    "Missing required argument",
                    "A health check needs url = \"https://...\" (an HTTP check) or a postgres { connection, query, expect } block.",
                    span.clone(),
                ));
                None
            }
            ([_, extra, ..], _) => {
                self.diags.push(err(
                    "Duplicate postgres block",
                    "A health check has at most one postgres block.",
                    span_of(file, &extra.ident),
                ));
                None
            }
            ([p], true) => {
                self.diags.push(err(
                    "Conflicting arguments",
                    "A health check is either an HTTP check (url) or a PostgreSQL check (a postgres block), not both.",
                    span_of(file, &p.ident),
                ));
                None
            }
            ([p], false) => {
                for name in ["expect_status", "body_match"] {
                    if let Some(a) = self.attr(&b.body, name) {
                        self.diags.push(err(
                            "Unsupported argument",
                            format!("{name} belongs to HTTP checks; a PostgreSQL check compares its query's result with expect."),
                            span_of(file, &a.key),
                        ));
                    }
                }
                self.decode_postgres_check(file, p)
            }
            ([], true) => {
                let url = self.url_arg(file, b, "url", "health check", check_url_problem);
                let expect_status = match self.attr(&b.body, "expect_status") {
                    None => Some(200),
                    Some(a) => {
                        let at = span_of(file, &a.value);
                        match self.literal(file, a, &Type::Number) {
                            Some(Value::Number(n)) => {
                                let s = n.to_string();
                                match s.parse::<u16>() {
                                    Ok(code) if (100..=599).contains(&code) => Some(code),
                                    _ => {
                                        self.diags.push(err(
                                            "Invalid expect_status",
                                            format!("{s} is not an HTTP status code (100 to 599)."),
                                            at,
                                        ));
                                        None
                                    }
                                }
                            }
                            _ => None,
                        }
                    }
                };
                let body_match = self.literal_string(file, &b.body, "body_match");
                match (url, expect_status) {
                    (Some(url), Some(expect_status)) => Some(CheckKind::Http {
                        url,
                        expect_status,
                        body_match,
                    }),
                    _ => None,
                }
            }
        };
        let interval = self.duration_arg(
            file,
            &b.body,
            "interval",
            Duration::from_secs(10),
            MAX_INTERVAL,
        );
        let timeout = self.duration_arg(
            file,
            &b.body,
            "timeout",
            Duration::from_secs(5),
            MAX_TIMEOUT,
        );
        let attempts = match self.attr(&b.body, "attempts") {
            None => Some(6),
            Some(a) => {
                let at = span_of(file, &a.value);
                match self.literal(file, a, &Type::Number) {
                    Some(Value::Number(n)) => match n.to_string().parse::<u32>() {
                        Ok(k) if (1..=MAX_ATTEMPTS).contains(&k) => Some(k),
                        _ => {
                            self.diags.push(err(
                                "Invalid attempts",
                                format!("attempts = {n} must be a whole number from 1 to {MAX_ATTEMPTS}."),
                                at,
                            ));
                            None
                        }
                    },
                    _ => None,
                }
            }
        };
        let (Some((site, site_span)), Some(kind), Some(attempts)) = (site, kind, attempts) else {
            return;
        };
        if let Some(prev) = m.health_checks.get(&l[0]) {
            let prev = prev.span.clone();
            self.duplicate("health check", &l[0], &prev, span);
            return;
        }
        m.health_checks.insert(
            l[0].clone(),
            HealthCheck {
                name: l[0].clone(),
                span,
                site,
                site_span,
                kind,
                interval,
                timeout,
                attempts,
            },
        );
    }

    /// `postgres { connection = var.db, query = "...", expect = false }`.
    fn decode_postgres_check(&mut self, file: FileId, p: &Block) -> Option<CheckKind> {
        self.labels(file, p, &[])?;
        self.check_body(
            file,
            &p.body,
            &["connection", "query", "expect"],
            &[],
            "postgres",
        );
        let connection = self.required_attr(file, p, "connection");
        let query = match self.attr(&p.body, "query") {
            None => {
                self.diags.push(err(
                    "Missing required argument",
                    "A postgres check needs query = \"SELECT ...\".",
                    span_of(file, &p.ident),
                ));
                None
            }
            Some(_) => self.literal_string(file, &p.body, "query"),
        };
        let expect = match self.attr(&p.body, "expect") {
            None => {
                self.diags.push(err(
                    "Missing required argument",
                    "A postgres check needs expect = the first column of the first row (e.g. false, or a row count).",
                    span_of(file, &p.ident),
                ));
                None
            }
            Some(_) => self.literal_string(file, &p.body, "expect"),
        };
        Some(CheckKind::Postgres {
            connection: connection?,
            query: query?,
            expect: expect?,
        })
    }

    /// After a module is decoded: runbook blocks belong to the root module
    /// (where failover groups are), and each check names a group's site.
    pub(super) fn check_runbook(&mut self, index: usize, m: &Module) {
        if index != 0 {
            let spans = m
                .notifications
                .values()
                .map(|n| (n.span.clone(), "notification"))
                .chain(
                    m.health_checks
                        .values()
                        .map(|c| (c.span.clone(), "health_check")),
                );
            for (at, kind) in spans.collect::<Vec<_>>() {
                self.diags.push(err(
                    "Not in the root module",
                    format!("{kind} blocks belong in the root module, beside the failover_group they serve."),
                    at,
                ));
            }
            return;
        }
        if !m.broken_failover_groups.is_empty() {
            return;
        }
        let sites: Vec<&String> = m
            .failover_groups
            .values()
            .flat_map(|g| g.sites.iter())
            .collect();
        for c in m.health_checks.values() {
            if !sites.contains(&&c.site) {
                self.diags.push(err(
                    "Invalid site",
                    if sites.is_empty() {
                        "health checks run in a failover's verify phase, but this stack declares no failover_group.".to_string()
                    } else {
                        format!(
                            "{:?} is not a site of any failover group ({}).",
                            c.site,
                            sites.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                        )
                    },
                    c.site_span.clone(),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_urls_must_be_https_except_to_loopback() {
        for ok in [
            "https://hooks.slack.com/services/T/B/X",
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
            "http://[::1]:9/hook",
        ] {
            assert_eq!(webhook_url_problem(ok), None, "{ok}");
        }
        for bad in [
            "http://hooks.example.com/x",
            "http://10.0.0.1/x",
            "ftp://hooks.example.com/x",
            "hooks.example.com/x",
            "",
        ] {
            let p = webhook_url_problem(bad).unwrap_or_else(|| panic!("{bad} accepted"));
            assert!(bad.is_empty() || !p.contains(bad), "{p}");
        }
    }

    #[test]
    fn check_urls_need_a_host_and_http() {
        assert_eq!(check_url_problem("http://gateway.internal/health"), None);
        assert!(check_url_problem("file:///etc/passwd").is_some());
        assert!(check_url_problem("/health").is_some());
    }
}
