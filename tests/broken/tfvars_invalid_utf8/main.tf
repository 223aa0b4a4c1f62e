variable "region" {
  type    = string
  default = "eastus"
}
