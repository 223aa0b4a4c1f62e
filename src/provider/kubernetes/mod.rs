//! Kubernetes workloads of managed clusters: `drinfra_kubernetes_replicas`,
//! a drinfra resource type that declares how many replicas one existing
//! deployment runs (the DR plan's "scale the services" step), so a
//! failover's plan scales workloads like any other change and waits for
//! them to be ready instead of sleeping.
//!
//! The type is drinfra's own (the hashicorp/kubernetes provider has no
//! scale-only resource; its `kubernetes_deployment` owns the whole
//! object). The provider reaches each cluster's API through a kubeconfig a
//! [`ClusterAccess`] hands it: the Azure provider's, which asks ARM for it
//! as `az aks get-credentials` does. `schema.rs` holds the arguments,
//! validation and planning; `client.rs` the Kubernetes requests (the
//! `kube` crate).

use std::sync::Arc;

use super::{
    ArgProblem, BoxFut, ErrorKind, FailoverRole, Planned, Provider, ProviderError, ResourceSchema,
    StepKind, TypeFacts,
};
use crate::lang::Value;

mod client;
mod schema;

pub use schema::{TYPE, validate};

/// The provider's source address (the local name `drinfra` a
/// `drinfra_...` type implies, as Terraform derives it).
pub const PROVIDER_NAME: &str = "registry.terraform.io/hashicorp/drinfra";

/// Where a cluster's credentials come from: the cloud that manages it.
pub trait ClusterAccess: Send + Sync {
    /// A kubeconfig (YAML) for the cluster with id `cluster_id`.
    fn kubeconfig<'a>(&'a self, cluster_id: &'a str) -> BoxFut<'a, Result<String, ProviderError>>;
}

/// The provider of `drinfra_kubernetes_*` types.
pub struct KubernetesProvider {
    access: Arc<dyn ClusterAccess>,
    clients: client::Clients,
}

impl KubernetesProvider {
    pub fn new(access: Arc<dyn ClusterAccess>) -> KubernetesProvider {
        KubernetesProvider {
            access,
            clients: client::Clients::default(),
        }
    }
}

/// Whether `ty` is one of this provider's types.
pub fn handles(ty: &str) -> bool {
    ty == TYPE
}

impl Provider for KubernetesProvider {
    fn name(&self) -> &'static str {
        PROVIDER_NAME
    }

    fn handles(&self, ty: &str) -> bool {
        handles(ty)
    }

    fn facts(&self) -> &'static dyn TypeFacts {
        &FACTS
    }

    fn schema(&self, _ty: &str) -> Option<ResourceSchema> {
        Some(schema::schema())
    }

    fn validate(&self, _ty: &str, config: &Value) -> Vec<ArgProblem> {
        validate(config)
    }

    fn plan(
        &self,
        _ty: &str,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<Planned, ProviderError> {
        schema::plan(prior, config)
    }

    fn read<'a>(
        &'a self,
        _ty: &'a str,
        current: &'a Value,
    ) -> BoxFut<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            let w = schema::Workload::of(current)?;
            let seen = async {
                let api = self.clients.get(&*self.access, &w.cluster_id).await?;
                api.get(&w).await
            };
            match seen.await {
                Ok(seen) => Ok(seen.map(|d| schema::with_replicas(current, d.replicas))),
                // A cluster in a region that is down cannot be read: what
                // state records stands (as Resource Graph answers for ARM
                // objects there), and a failover defers its change.
                Err(e) if e.kind() == ErrorKind::Unreachable => Ok(Some(current.clone())),
                Err(e) => Err(e),
            }
        })
    }

    fn create<'a>(
        &'a self,
        _ty: &'a str,
        planned: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(async move {
            let w = schema::Workload::of(planned)?;
            let api = self.clients.get(&*self.access, &w.cluster_id).await?;
            match api.get(&w).await? {
                Some(_) => api.scale(&w).await?,
                None => match &w.image {
                    Some(image) => api.create(&w, image).await?,
                    None => {
                        return Err(ProviderError::api(
                            ErrorKind::NotFound,
                            "DeploymentNotFound",
                            format!(
                                "deployment {:?} does not exist in namespace {:?} of cluster {}: deploy it first, or set image to create it",
                                w.deployment, w.namespace, w.cluster_id
                            ),
                        ));
                    }
                },
            }
            api.wait_ready(&w).await?;
            Ok(schema::created(planned, &w))
        })
    }

    fn update<'a>(
        &'a self,
        _ty: &'a str,
        _prior: &'a Value,
        planned: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(async move {
            let w = schema::Workload::of(planned)?;
            let api = self.clients.get(&*self.access, &w.cluster_id).await?;
            api.scale(&w).await?;
            api.wait_ready(&w).await?;
            Ok(planned.clone())
        })
    }

    /// Leaves the deployment as it stands: the declaration only set its
    /// replica count (like hashicorp/kubernetes' `kubernetes_labels`,
    /// which manages part of an object it does not own).
    fn delete<'a>(
        &'a self,
        _ty: &'a str,
        _prior: &'a Value,
    ) -> BoxFut<'a, Result<(), ProviderError>> {
        Box::pin(async { Ok(()) })
    }

    fn describe(&self) -> String {
        "the managed clusters' Kubernetes APIs (credentials from azurerm)".into()
    }
}

/// What the engine knows of the workload type without a client.
pub struct Facts;

pub static FACTS: Facts = Facts;

impl TypeFacts for Facts {
    /// Replicas are capacity: scaled up in the capacity phase (after the
    /// node pools they run on, which they depend on), scaled down in
    /// clean-up.
    fn failover_role(&self, _ty: &str) -> FailoverRole {
        FailoverRole::Capacity
    }

    fn scales_down(&self, _ty: &str, before: Option<&Value>, after: Option<&Value>) -> bool {
        match (
            before.and_then(schema::replicas_of),
            after.and_then(schema::replicas_of),
        ) {
            (Some(b), Some(a)) => a < b,
            _ => false,
        }
    }

    /// Pods start in well under a minute; the scale request itself is
    /// instant.
    fn typical_seconds(
        &self,
        _ty: &str,
        step: StepKind,
        _before: Option<&Value>,
        _after: Option<&Value>,
    ) -> u64 {
        match step {
            StepKind::Delete => 0,
            _ => 30,
        }
    }

    fn computed_attributes(&self, ty: &str) -> Option<Vec<String>> {
        handles(ty).then(|| vec!["id".to_string()])
    }
}
