module "m" {
  source = "./m"
}

# Terraform 1.15: "Removed module still exists" at the module block.
removed {
  from = module.m
  lifecycle {
    destroy = false
  }
}
