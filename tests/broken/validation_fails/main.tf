variable "region" {
  type    = string
  default = "mars"
  validation {
    condition     = contains(["eastus", "westeurope"], var.region)
    error_message = "Region must be eastus or westeurope."
  }
}
