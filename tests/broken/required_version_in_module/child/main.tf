terraform {
  required_version = "~> 1.16.0, != 1.16.2"
}
