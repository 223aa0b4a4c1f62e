//! The claims of an access token (a JWT's payload), read without checking
//! its signature: drinfra only learns who it signed in as (`oid`, `tid`,
//! `appid`), as azurerm does for `data "azurerm_client_config"`, with no
//! Microsoft Graph call. The token itself is never kept or shown.

use base64::Engine;
use serde_json::Value as J;

/// The payload of `token`, or None when it is not a JWT.
pub fn of(token: &str) -> Option<J> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// A string claim.
pub fn string(claims: &J, name: &str) -> Option<String> {
    claims.get(name)?.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_object_id_and_refuses_what_is_not_a_jwt() {
        let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let token = format!(
            "{}.{}.sig",
            enc("{\"alg\":\"RS256\"}"),
            enc("{\"oid\":\"1111\",\"tid\":\"2222\"}")
        );
        let c = of(&token).expect("claims");
        assert_eq!(string(&c, "oid").as_deref(), Some("1111"));
        assert_eq!(of("not-a-token"), None);
        assert_eq!(of("a.%%%.c"), None);
    }
}
