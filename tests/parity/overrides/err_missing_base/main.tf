provider "terraform" {
}

resource "terraform_data" "real" {
}
