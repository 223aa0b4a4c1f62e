variable "a" {
  default "x"
}
