locals {
  b = "a_override b"
  c = "a_override c"
}
