terraform {
  backend "local" {
    path = "b.tfstate"
  }
}

terraform {
  backend "local" {
    path = "c.tfstate"
  }
}
