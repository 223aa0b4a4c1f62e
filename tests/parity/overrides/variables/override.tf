variable "port" {
  type = number
}

variable "names" {
  default = ["c"]
}

variable "region" {
  type    = string
  default = "northeurope"
}

variable "maybe" {
  default = null
}
