locals {
  map_a         = { a = 1, b = 2 }
  map_b         = { b = 3, c = 4 }
  list_n        = [3, 1, 2]
  nested        = [[1, 2], [3, [4, 5]], []]
  objects       = [{ name = "x", size = 1 }, { name = "y", size = 2 }]
  json          = "{\"a\":[1,2,{\"b\":null}],\"c\":\"d\"}"
  heredoc       = <<-EOT
    first ${var.region}
      indented
    last
  EOT
  plain_heredoc = <<EOT
keep   spaces
EOT
}

module "single" {
  source = "./modules/child"
  name   = "one"
}

module "counted" {
  source = "./modules/child"
  count  = 2
  name   = "c"
  index  = count.index
}

module "each" {
  source   = "./modules/child"
  for_each = var.sites
  name     = each.key
  index    = each.value.priority
}
