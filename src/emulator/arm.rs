//! ARM protocol pieces: resource ids, the error envelope.

use serde_json::{Value as J, json};

/// An ARM error: HTTP status, Azure's error code, message.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmError {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub target: Option<String>,
    /// Simulated seconds after which a retry may succeed (the end of the
    /// operation a conflict waits for), sent as `Retry-After`.
    pub retry_after: Option<u64>,
}

impl ArmError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> ArmError {
        ArmError {
            status,
            code: code.into(),
            message: message.into(),
            target: None,
            retry_after: None,
        }
    }
    pub fn bad_request(code: &str, message: impl Into<String>) -> ArmError {
        ArmError::new(400, code, message)
    }
    pub fn conflict(code: &str, message: impl Into<String>) -> ArmError {
        ArmError::new(409, code, message)
    }
    pub fn not_found(code: &str, message: impl Into<String>) -> ArmError {
        ArmError::new(404, code, message)
    }
    /// A conflict with an operation that ends at `finish` (simulated).
    pub fn busy_until(mut self, finish: f64, now: f64) -> ArmError {
        self.retry_after = Some((finish - now).max(1.0).ceil() as u64);
        self
    }
    pub fn with_target(mut self, t: &str) -> ArmError {
        self.target = Some(t.to_string());
        self
    }
    pub fn body(&self) -> J {
        let mut e = json!({"code": self.code, "message": self.message, "details": [], "additionalInfo": []});
        if let Some(t) = &self.target {
            e["target"] = J::String(t.clone());
        }
        json!({"error": e})
    }
}

/// A parsed resource id (or collection path) under a subscription.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmPath {
    pub subscription: String,
    pub resource_group: Option<String>,
    /// Provider namespace, e.g. `Microsoft.Cache`.
    pub namespace: Option<String>,
    /// (type segment, name) pairs; the last name may be absent (a collection).
    pub segments: Vec<(String, Option<String>)>,
    /// For an extension resource (`{resource}/providers/{namespace}/...`,
    /// a diagnostic setting), the id of the resource it extends.
    pub scope: Option<String>,
}

impl ArmPath {
    /// Parses `/subscriptions/..` paths; `None` if it is not one.
    pub fn parse(path: &str) -> Option<ArmPath> {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        if parts.len() < 2 || !parts[0].eq_ignore_ascii_case("subscriptions") {
            return None;
        }
        let subscription = parts[1].to_string();
        let mut i = 2;
        let mut resource_group = None;
        let mut segments = Vec::new();
        let mut namespace = None;
        let mut scope = None;
        if parts.len() > i && parts[i].eq_ignore_ascii_case("resourcegroups") {
            match parts.get(i + 1) {
                Some(rg) => {
                    resource_group = Some(rg.to_string());
                    i += 2;
                }
                None => {
                    segments.push(("resourceGroups".to_string(), None));
                    return Some(ArmPath {
                        subscription,
                        resource_group,
                        namespace: Some("Microsoft.Resources".into()),
                        segments,
                        scope: None,
                    });
                }
            }
        }
        if parts.len() > i {
            if !parts[i].eq_ignore_ascii_case("providers") || parts.len() < i + 3 {
                return None;
            }
            namespace = Some(parts[i + 1].to_string());
            i += 2;
            while i < parts.len() {
                // A second `providers` after a named resource: what
                // follows extends that resource.
                if parts[i].eq_ignore_ascii_case("providers")
                    && scope.is_none()
                    && segments.last().is_some_and(|(_, n)| n.is_some())
                    && parts.len() >= i + 3
                {
                    let extended = ArmPath {
                        subscription: subscription.clone(),
                        resource_group: resource_group.clone(),
                        namespace: namespace.clone(),
                        segments: std::mem::take(&mut segments),
                        scope: None,
                    };
                    scope = Some(extended.id());
                    namespace = Some(parts[i + 1].to_string());
                    i += 2;
                    continue;
                }
                let ty = parts[i].to_string();
                let name = parts.get(i + 1).map(|s| s.to_string());
                segments.push((ty, name));
                i += 2;
            }
            return Some(ArmPath {
                subscription,
                resource_group,
                namespace,
                segments,
                scope,
            });
        } else if resource_group.is_some() {
            namespace = Some("Microsoft.Resources".into());
        }
        Some(ArmPath {
            subscription,
            resource_group,
            namespace,
            segments,
            scope,
        })
    }

    pub fn is_resource_group(&self) -> bool {
        self.resource_group.is_some() && self.segments.is_empty()
    }

    /// Whether the path names one resource (not a collection).
    pub fn is_resource(&self) -> bool {
        self.is_resource_group() || self.segments.last().is_some_and(|(_, n)| n.is_some())
    }

    /// `Microsoft.Cache/redis/linkedServers`.
    pub fn type_name(&self) -> String {
        if self.segments.is_empty()
            || self.namespace.as_deref() == Some("Microsoft.Resources")
                && self.resource_group.is_some()
                && self.segments.is_empty()
        {
            return "Microsoft.Resources/resourceGroups".into();
        }
        let mut t = self.namespace.clone().unwrap_or_default();
        for (ty, _) in &self.segments {
            t.push('/');
            t.push_str(ty);
        }
        t
    }

    /// The canonical id of the named resource.
    pub fn id(&self) -> String {
        let mut s = format!("/subscriptions/{}", self.subscription);
        if let Some(scope) = &self.scope {
            s = scope.clone();
        } else if let Some(rg) = &self.resource_group {
            s.push_str(&format!("/resourceGroups/{rg}"));
        }
        if !self.segments.is_empty() && self.namespace.as_deref() != Some("Microsoft.Resources") {
            s.push_str(&format!(
                "/providers/{}",
                self.namespace.clone().unwrap_or_default()
            ));
            for (ty, name) in &self.segments {
                s.push_str(&format!("/{ty}"));
                if let Some(n) = name {
                    s.push_str(&format!("/{n}"));
                }
            }
        }
        s
    }

    pub fn name(&self) -> String {
        match self.segments.last() {
            Some((_, Some(n))) => n.clone(),
            _ => self.resource_group.clone().unwrap_or_default(),
        }
    }

    /// The parent resource's id, for child resources.
    pub fn parent_id(&self) -> Option<String> {
        if self.segments.len() < 2 {
            return self.scope.clone().filter(|_| !self.segments.is_empty());
        }
        let mut p = self.clone();
        p.segments.pop();
        Some(p.id())
    }

    pub fn resource_group_id(&self) -> Option<String> {
        self.resource_group
            .as_ref()
            .map(|rg| format!("/subscriptions/{}/resourceGroups/{rg}", self.subscription))
    }

    /// For a collection path, the id of what holds it (group or resource).
    pub fn parent_id_of_collection(&self) -> String {
        let mut p = self.clone();
        p.segments.pop();
        if p.segments.is_empty() {
            p.scope
                .clone()
                .or_else(|| p.resource_group_id())
                .unwrap_or_default()
        } else {
            p.id()
        }
    }

    /// The id a collection path is listed under (`nextLink`s).
    pub fn id_of_collection(&self) -> String {
        if self.is_resource_group()
            || (self.segments.len() == 1
                && self.segments[0].0.eq_ignore_ascii_case("resourceGroups"))
        {
            return format!("/subscriptions/{}/resourcegroups", self.subscription);
        }
        self.id()
    }
}

/// What a stored resource hangs under: its parent resource, its group,
/// or (for a group) its subscription.
pub fn parent_of(id: &str) -> String {
    let p = ArmPath::parse(id);
    match p {
        Some(p) if p.is_resource_group() => format!("/subscriptions/{}", p.subscription),
        Some(p) => p
            .parent_id()
            .or_else(|| p.resource_group_id())
            .unwrap_or_default(),
        None => String::new(),
    }
}

/// The subscription of a resource id.
pub fn sub_of(id: &str) -> String {
    id.split('/').nth(2).unwrap_or_default().to_string()
}

/// The resource group of a resource id (empty when it has none).
pub fn rg_of(id: &str) -> String {
    ArmPath::parse(id)
        .and_then(|p| p.resource_group)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::ArmPath;

    #[test]
    fn parses_ids() {
        let ext = ArmPath::parse("/subscriptions/s1/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/providers/Microsoft.Insights/diagnosticSettings/d1").unwrap();
        assert_eq!(ext.type_name(), "Microsoft.Insights/diagnosticSettings");
        assert_eq!(
            ext.parent_id().as_deref(),
            Some("/subscriptions/s1/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv")
        );
        assert_eq!(
            ext.id(),
            "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/providers/Microsoft.Insights/diagnosticSettings/d1"
        );
        assert_eq!(ext.name(), "d1");
        let p = ArmPath::parse("/subscriptions/s1/resourcegroups/rg/providers/Microsoft.Cache/Redis/c1/linkedServers/c2").unwrap();
        assert_eq!(p.type_name(), "Microsoft.Cache/Redis/linkedServers");
        assert_eq!(p.name(), "c2");
        assert_eq!(
            p.parent_id().unwrap(),
            "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Cache/Redis/c1"
        );
        let rg = ArmPath::parse("/subscriptions/s1/resourceGroups/rg").unwrap();
        assert!(rg.is_resource_group());
        assert_eq!(rg.type_name(), "Microsoft.Resources/resourceGroups");
        let list =
            ArmPath::parse("/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Cdn/profiles")
                .unwrap();
        assert!(!list.is_resource());
        assert!(ArmPath::parse("/foo").is_none());
    }

    #[test]
    fn parses_extension_resources() {
        let sa =
            "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa";
        let p = ArmPath::parse(&format!(
            "{sa}/providers/Microsoft.Authorization/roleAssignments/g1"
        ))
        .unwrap();
        assert_eq!(p.type_name(), "Microsoft.Authorization/roleAssignments");
        assert_eq!(p.name(), "g1");
        assert_eq!(p.parent_id().as_deref(), Some(sa));
        assert_eq!(
            p.id(),
            format!("{sa}/providers/Microsoft.Authorization/roleAssignments/g1")
        );
        let list = ArmPath::parse(&format!(
            "{sa}/providers/Microsoft.Authorization/roleAssignments"
        ))
        .unwrap();
        assert!(!list.is_resource());
        assert_eq!(list.parent_id_of_collection(), sa);
        // At a group's or a subscription's scope, an ordinary path.
        let rg = ArmPath::parse(
            "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments/g1",
        )
        .unwrap();
        assert_eq!(rg.scope, None);
        assert_eq!(rg.type_name(), "Microsoft.Authorization/roleAssignments");
    }
}
