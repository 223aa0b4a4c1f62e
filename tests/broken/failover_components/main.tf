failover_group "pair" {
  sites      = ["eastus", "westeurope"]
  active     = "eastus"
  components = ["database", "traffic"]
}
