//! The ARM client's errors, and what each means to the engine
//! ([`ErrorKind`]).

use std::time::Duration;

use crate::provider::{ErrorKind, ProviderError};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AzureError {
    #[error("{status} {code}: {message}")]
    Api {
        status: u16,
        code: String,
        message: String,
    },
    #[error("operation failed: {code}: {message}")]
    OperationFailed { code: String, message: String },
    #[error("authentication failed: {0}")]
    Auth(String),
    #[error("cannot reach Azure Resource Manager at {url}: {message}")]
    Transport { url: String, message: String },
    #[error("timed out after {0:?} waiting for the operation")]
    Timeout(Duration),
    /// A polling URL that points away from the ARM endpoint is never followed.
    #[error("refusing to poll {origin}: it is not the Azure Resource Manager endpoint {base}")]
    ForeignPollingUrl { origin: String, base: String },
}

impl AzureError {
    pub fn code(&self) -> &str {
        match self {
            AzureError::Api { code, .. } | AzureError::OperationFailed { code, .. } => code,
            AzureError::Auth(_) => "AuthenticationFailed",
            AzureError::Transport { .. } => "Transport",
            AzureError::Timeout(_) => "Timeout",
            AzureError::ForeignPollingUrl { .. } => "ForeignPollingUrl",
        }
    }
}

/// The engine's error for an ARM failure.
pub fn err(e: AzureError) -> ProviderError {
    let kind = kind_of(&e);
    match e {
        AzureError::Api {
            code,
            message,
            status,
        } => ProviderError::Api {
            code,
            message,
            retryable: status == 429 || status >= 500,
            kind,
        },
        AzureError::OperationFailed { code, message } => ProviderError::Api {
            code,
            message,
            retryable: false,
            kind,
        },
        other => ProviderError::Api {
            code: other.code().to_string(),
            message: other.to_string(),
            retryable: false,
            kind,
        },
    }
}

/// What an ARM failure means. A region that does not answer (ARM's
/// ServiceUnavailable, GatewayTimeout, RegionUnavailable, or no connection
/// at all) is unreachable: a failover defers it.
fn kind_of(e: &AzureError) -> ErrorKind {
    let code = e.code();
    if [
        "ServiceUnavailable",
        "GatewayTimeout",
        "RegionUnavailable",
        "Transport",
    ]
    .contains(&code)
    {
        return ErrorKind::Unreachable;
    }
    match e {
        AzureError::Api { status: 429, .. } => ErrorKind::Throttled,
        AzureError::Api { status: 409, .. } => ErrorKind::Conflict,
        AzureError::Api { status: 404, .. } => ErrorKind::NotFound,
        AzureError::Api { status: 400, .. } | AzureError::ForeignPollingUrl { .. } => {
            ErrorKind::Invalid
        }
        _ => ErrorKind::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_failures_map_to_kinds() {
        let api = |status: u16, code: &str| AzureError::Api {
            status,
            code: code.into(),
            message: "m".into(),
        };
        let kind = |e: AzureError| err(e).kind();
        assert_eq!(kind(api(503, "ServiceUnavailable")), ErrorKind::Unreachable);
        assert_eq!(kind(api(504, "GatewayTimeout")), ErrorKind::Unreachable);
        assert_eq!(
            kind(AzureError::OperationFailed {
                code: "RegionUnavailable".into(),
                message: "m".into()
            }),
            ErrorKind::Unreachable
        );
        assert_eq!(
            kind(AzureError::Transport {
                url: "u".into(),
                message: "refused".into()
            }),
            ErrorKind::Unreachable
        );
        assert_eq!(kind(api(429, "TooManyRequests")), ErrorKind::Throttled);
        assert_eq!(kind(api(409, "Conflict")), ErrorKind::Conflict);
        assert_eq!(kind(api(404, "ResourceNotFound")), ErrorKind::NotFound);
        assert_eq!(kind(api(400, "InvalidParameter")), ErrorKind::Invalid);
        assert_eq!(kind(api(500, "InternalServerError")), ErrorKind::Failed);
        assert!(matches!(
            err(api(500, "InternalServerError")),
            ProviderError::Api {
                retryable: true,
                ..
            }
        ));
        assert_eq!(
            ProviderError::UnknownType("x".into()).kind(),
            ErrorKind::Unsupported
        );
    }
}
