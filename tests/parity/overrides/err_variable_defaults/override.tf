variable "a" {
  type = number
}

variable "b" {
  default = "q"
}

variable "c" {
  type    = bool
  default = "maybe"
}

variable "d" {
  nullable = false
  default  = null
}

variable "e" {
  default = null
}
