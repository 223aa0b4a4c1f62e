failover_group "pair" {
  sites  = ["a", "b"]
  active = "a"
  storage_accounts = {
    a = ["module.a.azurerm_redis_cache.cache"]
  }
}
