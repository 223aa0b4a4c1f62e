# The scope the function cases (cases.txt) are evaluated in, by Terraform's
# console and by drinfra's.
variable "secret" {
  type      = string
  default   = "s3cr3t"
  sensitive = true
}

locals {
  greeting = "Hello, $${name}!"
  loop     = "%%{for x in items}<$${x}>%%{endfor}"
  broken   = "$${"
  key_pem  = file("${path.module}/files/key.pem")
}
