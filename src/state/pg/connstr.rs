//! Takes libpq's TLS settings (`sslmode`, `sslrootcert`, `sslcert`,
//! `sslkey`, `sslinline`, `sslsni`) out of a connection string, in either
//! of libpq's forms (`key=value ...` or a `postgres://` URL), leaving the
//! rest for tokio-postgres's parser, which knows only part of them.

/// The settings drinfra's TLS layer reads itself.
const TLS_KEYS: [&str; 6] = [
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslinline",
    "sslsni",
];

/// The connection string without the TLS settings, and those settings in
/// the order given (a later one wins, as in libpq).
pub(super) fn split(conn_str: &str) -> Result<(String, Vec<(String, String)>), String> {
    let trimmed = conn_str.trim_start();
    if trimmed.starts_with("postgres://") || trimmed.starts_with("postgresql://") {
        return Ok(split_url(conn_str));
    }
    split_pairs(conn_str)
}

fn split_url(url: &str) -> (String, Vec<(String, String)>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), Vec::new());
    };
    let mut kept = Vec::new();
    let mut tls = Vec::new();
    for param in query.split('&') {
        let (k, v) = param.split_once('=').unwrap_or((param, ""));
        let key = percent_decode(k);
        if TLS_KEYS.contains(&key.as_str()) {
            tls.push((key, percent_decode(v)));
        } else {
            kept.push(param);
        }
    }
    let rest = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (rest, tls)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `key = value` pairs (values unquoted or in single quotes, with
/// backslash escapes): the TLS ones are cut out of the text, so the rest
/// reaches tokio-postgres exactly as written.
fn split_pairs(s: &str) -> Result<(String, Vec<(String, String)>), String> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let offset = |i: usize| chars.get(i).map_or(s.len(), |&(o, _)| o);
    let mut rest = String::new();
    let mut tls = Vec::new();
    let mut copied = 0;
    let mut i = 0;
    loop {
        while at(i).is_some_and(char::is_whitespace) {
            i += 1;
        }
        if at(i).is_none() {
            break;
        }
        let start = i;
        let mut key = String::new();
        while let Some(c) = at(i).filter(|c| *c != '=' && !c.is_whitespace()) {
            key.push(c);
            i += 1;
        }
        while at(i).is_some_and(char::is_whitespace) {
            i += 1;
        }
        if at(i) != Some('=') {
            // tokio-postgres reports the malformed string itself.
            return Ok((s.to_string(), tls));
        }
        i += 1;
        while at(i).is_some_and(char::is_whitespace) {
            i += 1;
        }
        let quoted = at(i) == Some('\'');
        if quoted {
            i += 1;
        }
        let mut value = String::new();
        loop {
            match at(i) {
                None if quoted => {
                    return Err(format!("connection string: unterminated quote in {key}="));
                }
                None => break,
                Some('\'') if quoted => {
                    i += 1;
                    break;
                }
                Some(c) if c.is_whitespace() && !quoted => break,
                Some('\\') if at(i + 1).is_some() => {
                    value.extend(at(i + 1));
                    i += 2;
                }
                Some(c) => {
                    value.push(c);
                    i += 1;
                }
            }
        }
        if TLS_KEYS.contains(&key.as_str()) {
            rest.push_str(&s[copied..offset(start)]);
            copied = offset(i);
            tls.push((key, value));
        }
    }
    rest.push_str(&s[copied..]);
    Ok((rest, tls))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(in super::super) fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn key_value_strings_lose_only_the_tls_settings() {
        let (rest, tls) =
            split("host=db sslmode = verify-full user='a b' sslrootcert='/c\\'s/ca.pem' dbname=x")
                .unwrap();
        assert_eq!(rest, "host=db  user='a b'  dbname=x");
        assert_eq!(
            tls,
            pairs(&[("sslmode", "verify-full"), ("sslrootcert", "/c's/ca.pem")])
        );
        let err = split("host=db sslrootcert='/x").unwrap_err();
        assert!(err.contains("sslrootcert"), "{err}");
    }

    #[test]
    fn urls_lose_only_the_tls_parameters() {
        let (rest, tls) =
            split("postgres://u@db/x?sslmode=require&application_name=a&sslrootcert=%2Fca.pem")
                .unwrap();
        assert_eq!(rest, "postgres://u@db/x?application_name=a");
        assert_eq!(
            tls,
            pairs(&[("sslmode", "require"), ("sslrootcert", "/ca.pem")])
        );
        let (rest, tls) = split("postgresql://db/x?sslmode=disable").unwrap();
        assert_eq!((rest.as_str(), tls.len()), ("postgresql://db/x", 1));
    }
}
