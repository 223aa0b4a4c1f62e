# The merged resource keeps main.tf's triggers_replace; the error is
# in the input this file gives it, and points here.
resource "terraform_data" "a" {
  input = var.nope
}
