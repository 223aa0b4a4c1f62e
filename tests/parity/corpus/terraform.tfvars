from_tfvars = {
  size  = "8"
  label = "gp"
}
