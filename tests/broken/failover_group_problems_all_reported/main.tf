failover_group "platform" {
  sites = ["eastus"]
}

output "active" {
  value = failover_group.platform.active
}

output "roles" {
  value = failover_group.platform.roles
}

moved {
  from = "a"
  to   = "b"
}
