variable "a" {
}

locals {
  q = 1
}

output "o" {
}

module "m" {
}

resource "terraform_data" "r" {
}

data "terraform_remote_state" "s" {
}

provider "terraform" {
  alias = "x"
}

import {
  to = terraform_data.real
  id = "x"
}

moved {
  from = terraform_data.old
  to   = terraform_data.real
}

check "c" {
  assert {
    condition     = true
    error_message = "x"
  }
}
