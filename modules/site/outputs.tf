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
