variable "a" {
  default = 1
  typo    = 1
}
