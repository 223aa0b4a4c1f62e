variable "a" {
  type    = string
  default = "x"
}

variable "b" {
  type    = number
  default = 1
}

variable "c" {
  default = "s"
}

variable "d" {
  default = 1
}

variable "e" {
  type     = string
  nullable = false
  default  = "e"
}
