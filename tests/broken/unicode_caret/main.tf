locals {
  greeting = "héllo wörld"
  a        = upper(local.greeting, 1)
}
