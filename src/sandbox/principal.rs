//! Who is calling the sandbox's REST API, as established by the auth layer.

/// Inserted as a request extension on every authenticated `/api/v1/` request;
/// API handlers read it with `axum::Extension<Principal>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub organization_id: String,
    pub user_id: String,
    pub via: AuthVia,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthVia {
    /// `Authorization: Bearer sbx_at_…`
    AccessToken,
    /// `Authorization: Basic base64("api_…:")`
    ApiKey,
}
