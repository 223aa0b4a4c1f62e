output "resource_group_name" {
  value = azurerm_resource_group.site.name
}

output "postgres_id" {
  value = azurerm_postgresql_flexible_server.db.id
}

output "redis_id" {
  value = azurerm_redis_cache.cache.id
}

output "aks_fqdn" {
  value = azurerm_kubernetes_cluster.aks.fqdn
}

output "origin_host" {
  description = "Where Front Door sends traffic for this site."
  value       = "gateway.${var.site}.${var.name_prefix}.example.com"
}

output "redis_name" {
  value = azurerm_redis_cache.cache.name
}

output "location" {
  value = azurerm_resource_group.site.location
}

output "alert_rule_ids" {
  description = "The site's alert rules (on while the site is active)."
  value = [
    azurerm_monitor_metric_alert.aks_cpu.id,
    azurerm_monitor_metric_alert.db_cpu.id,
    azurerm_monitor_activity_log_alert.failed_operations.id,
  ]
}
