provider "azurerm" {
  features {}
}
provider "azurerm" {
  features { }
  alias="dr"
}
resource "azurerm_resource_group" "rg" {
  name="rg"
  location  ="westeurope"
  tags={env="prod",team="dr",   "cost-center"=42}
  lifecycle { ignore_changes=[tags] }
}
variable "regions" {
  type=list(string)
  default=["westeurope","northeurope"  ,"eastus"]
}
output "x" {
  value = {for i,r in var.regions: r=>i if i>0}
}
module "m" {
  source="./m"
  count=length(var.regions)-1
  n = count.index*2+1
}
