module "net" {
  source  = "Azure/network/azurerm"
  version = "5.0.0"
}

output "a" {
  value = module.net.vnet_id
}

output "b" {
  value = module.net.subnet_ids
}
