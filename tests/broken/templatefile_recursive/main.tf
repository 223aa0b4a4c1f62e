output "t" {
  value = templatefile("self.tmpl", {})
}
