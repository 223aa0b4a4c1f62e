resource "terraform_data" "real" {
}
