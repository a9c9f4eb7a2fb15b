//! The Account screen's two requests, and disconnecting.

use std::sync::Arc;

use serde_json::Value;

use super::{ServiceError, Shared, session};
use crate::{
    close::records::{list, text},
    session::Revoked,
    store::AccountId,
    tui::{
        model::{Generation, Member, OrgInfo, PipelineInfo, UserInfo},
        msg::Msg,
    },
};

pub async fn profile(shared: Arc<Shared>, generation: Generation) {
    let result = async {
        let (_, client) = session::client(&shared).await?;
        let me = client.me().await?;
        Ok::<_, ServiceError>(UserInfo {
            name: me.full_name().unwrap_or_default(),
            email: me.email.clone().unwrap_or_default(),
            id: me.id,
        })
    }
    .await;
    shared.reply(result, |result| Msg::Profile { generation, result });
}

pub async fn organization(shared: Arc<Shared>, generation: Generation, organization_id: String) {
    let result = async {
        let (_, client) = session::client(&shared).await?;
        let org: Value = client
            .get(&format!("organization/{organization_id}/"), &[])
            .await?;
        Ok::<_, ServiceError>(org_info(&org))
    }
    .await;
    shared.reply(result, |result| Msg::Organization { generation, result });
}

fn org_info(org: &Value) -> OrgInfo {
    let s = |v: &Value, k: &str| text(v, k).map(|t| t.into_owned()).unwrap_or_default();
    let labels = |items: &[Value]| items.iter().map(|i| s(i, "label")).collect::<Vec<_>>();
    OrgInfo {
        id: s(org, "id"),
        name: s(org, "name"),
        members: list(org, "memberships")
            .iter()
            .map(|m| Member {
                name: s(m, "user_full_name"),
                email: s(m, "user_email"),
                role: s(m, "role_id"),
            })
            .collect(),
        lead_statuses: labels(list(org, "lead_statuses")),
        pipelines: list(org, "pipelines")
            .iter()
            .map(|p| PipelineInfo {
                name: s(p, "name"),
                statuses: labels(list(p, "statuses")),
            })
            .collect(),
    }
}

/// Revokes the account's tokens at Close (best effort), then forgets it.
pub async fn disconnect(shared: Arc<Shared>, id: AccountId) {
    let result = async {
        let store = shared.store().await?;
        let account = blocking({
            let (store, id) = (Arc::clone(&store), id.clone());
            move || Ok(store.account(&id)?)
        })
        .await?;
        let account =
            account.ok_or_else(|| ServiceError::Other("that account is gone already".into()))?;
        let name = account.profile.organization_name.clone();
        let note = match crate::session::revoke(&shared.settings, &store, &account).await {
            Revoked::Done => "; the token is revoked".to_owned(),
            Revoked::Failed(reasons) => format!(
                "; revoke failed ({}), local secrets deleted",
                reasons.join("; ")
            ),
            other => other.note(),
        };
        shared.session.clear();
        blocking(move || Ok(store.log_out(&id)?)).await?;
        Ok::<_, ServiceError>(format!("disconnected from {name}{note}"))
    }
    .await;
    shared.send(Msg::Disconnected(result.map_err(|e| e.to_string())));
}

/// Runs a store call off the async threads (SQLite waits on locks).
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ServiceError> + Send + 'static,
) -> Result<T, ServiceError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| ServiceError::Other(err.to_string()))?
}
