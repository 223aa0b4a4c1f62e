failover_group "pair" {
  sites  = ["eastus", "westeurope"]
  active = "eastus"
  rto    = "an hour"
}
