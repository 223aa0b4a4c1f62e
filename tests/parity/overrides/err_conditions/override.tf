variable "v" {
  validation {
    condition     = var.v > 0
    error_message = "positive"
  }
}

resource "terraform_data" "r" {
  lifecycle {
    precondition {
      condition     = true
      error_message = "x"
    }
    postcondition {
      condition     = true
      error_message = "x"
    }
  }
}

output "o" {
  precondition {
    condition     = true
    error_message = "x"
  }
}
