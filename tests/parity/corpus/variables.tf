variable "region" {
  type    = string
  default = "eastus"
}

variable "replicas" {
  type    = number
  default = 3
}

variable "sites" {
  type = map(object({
    region   = string
    priority = number
    active   = optional(bool, false)
    tags     = optional(map(string), {})
    zone     = optional(string)
  }))
  default = {
    primary = { region = "eastus", priority = 1, active = true }
    dr      = { region = "westeurope", priority = 2, tags = { tier = "standby" } }
  }
}

variable "names" {
  type    = list(string)
  default = ["b", "a", "c", "a"]
}

variable "from_tfvars" {
  type = object({ size = number, label = string })
}

variable "loose" {
  default = [1, "two", true]
}

variable "secret" {
  type      = string
  default   = "hunter2"
  sensitive = true
}
