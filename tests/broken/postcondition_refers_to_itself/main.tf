resource "terraform_data" "c" {
  lifecycle {
    postcondition {
      condition     = terraform_data.c.id != ""
      error_message = "x"
    }
  }
}
