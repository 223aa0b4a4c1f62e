//! libpq's environment variables, which Terraform's pg backend (lib/pq)
//! reads for what the connection string leaves out: `PGHOST`, `PGPORT`,
//! `PGUSER`, `PGPASSWORD`, `PGDATABASE`, `PGOPTIONS`, `PGAPPNAME`,
//! `PGCONNECT_TIMEOUT`; then lib/pq's defaults (host `localhost`, the OS
//! user). The TLS ones (`PGSSLMODE`, ...) are read in `tls`.

use std::time::Duration;

use tokio_postgres::Config;

/// Completes `config` (parsed from `conn_str`) from `env`; the string wins
/// where both give a value.
pub(super) fn fill(config: &mut Config, env: &[(String, String)]) -> Result<(), String> {
    let get = |k: &str| {
        env.iter()
            .find(|(n, v)| n == k && !v.is_empty())
            .map(|(_, v)| v.as_str())
    };
    if config.get_hosts().is_empty() {
        for h in get("PGHOST").unwrap_or("localhost").split(',') {
            config.host(h.trim());
        }
    }
    if config.get_ports().is_empty()
        && let Some(p) = get("PGPORT")
    {
        let port = p
            .parse::<u16>()
            .map_err(|_| format!("PGPORT={p:?} is not a port number"))?;
        config.port(port);
    }
    if config.get_user().is_none()
        && let Some(u) = get("PGUSER")
            .or_else(|| get("USER"))
            .or_else(|| get("USERNAME"))
    {
        config.user(u);
    }
    if config.get_password().is_none()
        && let Some(p) = get("PGPASSWORD")
    {
        config.password(p);
    }
    if config.get_dbname().is_none()
        && let Some(d) = get("PGDATABASE")
    {
        config.dbname(d);
    }
    if config.get_options().is_none()
        && let Some(o) = get("PGOPTIONS")
    {
        config.options(o);
    }
    if config.get_application_name().is_none()
        && let Some(a) = get("PGAPPNAME")
    {
        config.application_name(a);
    }
    if config.get_connect_timeout().is_none()
        && let Some(t) = get("PGCONNECT_TIMEOUT")
    {
        let secs = t
            .parse::<u64>()
            .map_err(|_| format!("PGCONNECT_TIMEOUT={t:?} is not a number of seconds"))?;
        config.connect_timeout(Duration::from_secs(secs));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_string_wins_and_the_environment_fills_in() {
        let s = "host=db.internal user=app";
        let mut c: Config = s.parse().unwrap();
        let e = env(&[
            ("PGHOST", "other"),
            ("PGUSER", "nobody"),
            ("PGPASSWORD", "secret"),
            ("PGDATABASE", "infra"),
            ("PGPORT", "6543"),
        ]);
        fill(&mut c, &e).unwrap();
        assert_eq!(c.get_user(), Some("app"));
        assert_eq!(c.get_password(), Some(&b"secret"[..]));
        assert_eq!(c.get_dbname(), Some("infra"));
        assert_eq!(c.get_ports(), &[6543]);
        assert_eq!(
            c.get_hosts(),
            &[tokio_postgres::config::Host::Tcp("db.internal".into())]
        );
    }

    #[test]
    fn nothing_given_is_lib_pqs_defaults_and_bad_values_are_named() {
        let mut c: Config = "".parse().unwrap();
        fill(&mut c, &env(&[("USER", "me")])).unwrap();
        assert_eq!(
            c.get_hosts(),
            &[tokio_postgres::config::Host::Tcp("localhost".into())]
        );
        assert_eq!(c.get_user(), Some("me"));
        let err = fill(&mut c, &env(&[("PGPORT", "x")])).unwrap_err();
        assert!(err.contains("PGPORT"), "{err}");
    }
}
