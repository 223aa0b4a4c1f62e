//! Azure Storage connection strings.

/// The parts of an Azure Storage connection string the backend uses
/// (`AccountName=...;AccountKey=...;BlobEndpoint=...`, or
/// `UseDevelopmentStorage=true` for Azurite's defaults).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConnectionString {
    pub account: Option<String>,
    pub account_key: Option<String>,
    pub blob_endpoint: Option<String>,
    pub sas_token: Option<String>,
}

/// Azurite's documented development account.
const DEV_ACCOUNT: &str = "devstoreaccount1";
const DEV_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// Why a storage connection string cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectionStringError {
    #[error("{0:?} is not a Key=Value pair")]
    NotAPair(String),
    #[error("the connection string names neither AccountName nor SharedAccessSignature")]
    NoAccount,
}

impl ConnectionString {
    pub fn parse(text: &str) -> Result<ConnectionString, ConnectionStringError> {
        let mut c = ConnectionString::default();
        let (mut protocol, mut suffix) = ("https".to_string(), "core.windows.net".to_string());
        for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            // Values (keys, SAS tokens) may themselves contain '='.
            let Some((k, v)) = part.split_once('=') else {
                return Err(ConnectionStringError::NotAPair(part.to_string()));
            };
            match k {
                "AccountName" => c.account = Some(v.into()),
                "AccountKey" => c.account_key = Some(v.into()),
                "BlobEndpoint" => c.blob_endpoint = Some(v.into()),
                "SharedAccessSignature" => c.sas_token = Some(v.into()),
                "DefaultEndpointsProtocol" => protocol = v.into(),
                "EndpointSuffix" => suffix = v.into(),
                "UseDevelopmentStorage" if v.eq_ignore_ascii_case("true") => {
                    c.account = Some(DEV_ACCOUNT.into());
                    c.account_key = Some(DEV_KEY.into());
                    c.blob_endpoint = Some(format!("http://127.0.0.1:10000/{DEV_ACCOUNT}"));
                }
                _ => {} // queue/table/file endpoints and the like
            }
        }
        if c.blob_endpoint.is_none() {
            c.blob_endpoint = c
                .account
                .as_ref()
                .map(|a| format!("{protocol}://{a}.blob.{suffix}"));
        }
        if c.account.is_none() && c.sas_token.is_none() {
            return Err(ConnectionStringError::NoAccount);
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_strings_give_account_key_and_endpoint() {
        let c = ConnectionString::parse("DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=a2V5==;EndpointSuffix=core.chinacloudapi.cn").unwrap();
        assert_eq!(c.account.as_deref(), Some("contoso"));
        assert_eq!(
            c.account_key.as_deref(),
            Some("a2V5=="),
            "'=' inside a value survives"
        );
        assert_eq!(
            c.blob_endpoint.as_deref(),
            Some("https://contoso.blob.core.chinacloudapi.cn")
        );
        let dev = ConnectionString::parse("UseDevelopmentStorage=true").unwrap();
        assert_eq!(
            dev.blob_endpoint.as_deref(),
            Some("http://127.0.0.1:10000/devstoreaccount1")
        );
        let azurite = ConnectionString::parse("AccountName=devstoreaccount1;AccountKey=k;BlobEndpoint=http://127.0.0.1:10010/devstoreaccount1;").unwrap();
        assert_eq!(
            azurite.blob_endpoint.as_deref(),
            Some("http://127.0.0.1:10010/devstoreaccount1")
        );
        assert!(ConnectionString::parse("garbage").is_err());
        assert!(ConnectionString::parse("EndpointSuffix=x").is_err());
    }
}
