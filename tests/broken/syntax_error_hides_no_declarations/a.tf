variable "region" {
  default = "westeurope"
}

locals {
  name = "${var.region}-${local.suffix}"
  bad  = count.index
}
