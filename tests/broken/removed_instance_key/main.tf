resource "terraform_data" "y" {
}

removed {
  from = terraform_data.x[0]
  lifecycle {
    destroy = false
  }
}
