module "empty" {
  source = "./empty"
}

module "file" {
  source = "./main.tf"
}
