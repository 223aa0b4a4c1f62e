# The platform's services on this site's cluster: each deployment's
# replica count follows the node pools' role (production counts while
# active, standby counts otherwise), so a failover's plan scales them in
# its capacity phase, after the node pools, and failback scales them back.
# drinfra waits for the replicas to be ready (ready_timeout) instead of
# sleeping.

variable "services" {
  description = "Deployments of the platform and their replica counts per role."
  type = map(object({
    production = number
    standby    = number
  }))
  default = {}
}

variable "services_namespace" {
  description = "Namespace of the services' deployments."
  type        = string
  default     = "default"
}

variable "services_image_prefix" {
  description = "Container registry path of the services' images: a deployment missing from a fresh cluster is created from PREFIX/NAME:stable (null: every deployment must exist already)."
  type        = string
  default     = null
}

resource "drinfra_kubernetes_replicas" "service" {
  for_each      = var.services
  cluster_id    = azurerm_kubernetes_cluster.aks.id
  namespace     = var.services_namespace
  deployment    = each.key
  replicas      = local.capacity_active ? each.value.production : each.value.standby
  ready_timeout = "10m"
  image         = var.services_image_prefix == null ? null : "${var.services_image_prefix}/${each.key}:stable"

  # Pods need the nodes first: scaled after the pools in a failover.
  depends_on = [
    azurerm_kubernetes_cluster_node_pool.application,
    azurerm_kubernetes_cluster_node_pool.code_execution,
  ]
}

output "kubeconfig_command" {
  description = "How an operator points kubectl at this site's cluster (the DR plan's step 3)."
  value       = "az aks get-credentials --resource-group ${azurerm_resource_group.site.name} --name ${azurerm_kubernetes_cluster.aks.name} --overwrite-existing"
}

output "cluster_id" {
  value = azurerm_kubernetes_cluster.aks.id
}
