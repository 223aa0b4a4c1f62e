# Operators and literals
output "arith" { value = [1 + 2 * 3, (1 + 2) * 3, 10 / 4, 7 % 3, -7 % 3, -(2 - 5), 2 - 3 - 4] }
output "compare" { value = [1 < 2, 2 <= 2, 3 > 4, 4 >= 5, 1 == 1, "a" == "a", 1 == "1", [1] == [1], {} == {}] }
output "logic" { value = [true && false, true || false, !true, true && !false] }
output "float" { value = [0.1 + 0.2, 1.5 * 2, 2 / 8, 1e3, 1.25e-2] }
output "cond" { value = [true ? "yes" : "no", false ? 1 : 2, var.replicas > 2 ? "many" : "few"] }
output "cond_unify" { value = true ? 1 : "x" }
output "strings" { value = ["a${1 + 1}b", "${var.region}", "x%{if var.replicas > 1}s%{else}z%{endif}", "esc $${x} %%{y}", "tab\there", "uni\u00e9"] }
output "heredoc" { value = local.heredoc }
output "plain_heredoc" { value = local.plain_heredoc }
output "template_for" { value = "%{for i, n in ["a", "b"]}${i}=${n};%{endfor}" }
output "template_strip" { value = "  %{~if true~}  x  %{~endif~}  " }

# Collections and for expressions
output "for_list" { value = [for x in local.list_n : x * 10] }
output "for_list_if" { value = [for i, x in local.list_n : "${i}:${x}" if x > 1] }
output "for_map" { value = { for k, v in local.map_a : upper(k) => v + 1 } }
output "for_group" { value = { for o in concat(local.objects, [{ name = "x", size = 3 }]) : o.name => o.size... } }
output "for_over_map_values" { value = [for k, v in var.sites : "${k}@${v.region}"] }
output "splat" { value = local.objects[*].name }
output "splat_full" { value = local.objects.*.size }
output "splat_single" { value = var.region[*] }
output "index_ops" { value = [local.list_n[0], local.map_a["b"], local.map_a.a, local.nested[1][1][0]] }

# Variables, type constraints, optional attributes
output "sites" { value = var.sites }
output "site_regions" { value = { for k, s in var.sites : k => s.region } }
output "tfvars_converted" { value = var.from_tfvars }
output "loose" { value = var.loose }
output "secret_length" {
  value     = length(var.secret)
  sensitive = true
}

# Modules
output "module_single" { value = module.single.full }
output "module_counted" { value = module.counted[*].full }
output "module_each" { value = { for k, m in module.each : k => m.full } }
output "module_path" { value = module.single.path_is_child }
output "path_module" { value = path.module }
output "workspace" { value = terraform.workspace }

# String functions
output "fn_format" { value = [format("%s-%d", "a", 5), format("%05.2f", 3.14159), format("%-5s|", "ab"), format("%5s|", "ab"), format("%x %X %o %b", 255, 255, 8, 5), format("%q", "hi"), format("%v %v %v", "s", 1.5, true), format("%t", false), format("%3d|%-3d|%03d", 7, 7, 7), format("%%"), format("%e", 1234.5678), format("%[2]s %[1]s", "a", "b"), format("%#v", { a = 1 })] }
output "fn_formatlist" { value = formatlist("%s=%s", ["a", "b"], "x") }
output "fn_join_split" { value = [join(",", ["a", "b", "c"]), join("-", ["x"], ["y", "z"]), split(",", "a,b,,c"), split("x", "")] }
output "fn_case" { value = [lower("HeLLo"), upper("hello"), title("hello world-foo bar_baz"), title("o'neil")] }
output "fn_replace" { value = [replace("a-b-c", "-", "+"), replace("hello world", "/o(r?)/", "0$1"), replace("aaa", "a", "")] }
output "fn_substr" { value = [substr("hello", 1, 3), substr("hello", -3, -1), substr("hello", 0, 100), substr("héllo", 1, 2)] }
output "fn_trim" { value = [trim("?!hello?!", "!?"), trimspace("  x \n"), trimprefix("prefix-x", "prefix-"), trimsuffix("x.tf", ".tf"), trimprefix("x", "y")] }
output "fn_predicates" { value = [startswith("hello", "he"), endswith("hello", "lo"), strcontains("hello", "ell"), startswith("hello", "lo")] }
output "fn_regex" { value = [regex("[a-z]+", "123abc456"), regex("(\\d+)-(\\d+)", "10-20"), regex("(?P<year>\\d{4})-(?P<month>\\d{2})", "2024-05")] }
output "fn_regexall" { value = [regexall("\\d", "a1b2c3"), length(regexall("x", "abc")), regexall("(a)(b)?", "a ab")] }

# Collection functions
output "fn_length" { value = [length("héllo"), length([1, 2]), length({ a = 1 }), length(toset(["a", "a"]))] }
output "fn_lookup" { value = [lookup(local.map_a, "a", 0), lookup(local.map_a, "z", 42)] }
output "fn_merge" { value = merge(local.map_a, local.map_b, { d = "x" }) }
output "fn_merge_maps" { value = merge({ a = "1" }, { b = "2" }) }
output "fn_concat" { value = concat([1, 2], [3], []) }
output "fn_flatten" { value = flatten(local.nested) }
output "fn_keys_values" { value = [keys(local.map_b), values(local.map_b), keys(var.sites)] }
output "fn_contains" { value = [contains(["a", "b"], "a"), contains([1, 2], 3), contains(var.names, "c")] }
output "fn_distinct" { value = distinct(var.names) }
output "fn_element" { value = [element(["a", "b", "c"], 1), element(["a", "b", "c"], 4)] }
output "fn_index" { value = index(["a", "b", "c"], "c") }
output "fn_slice" { value = [slice(["a", "b", "c", "d"], 1, 3), slice(local.list_n, 0, 0)] }
output "fn_sort" { value = [sort(var.names), sort(["10", "9", "1"])] }
output "fn_reverse" { value = reverse(local.list_n) }
output "fn_toset" { value = toset(var.names) }
output "fn_tolist" { value = tolist(toset(["b", "a"])) }
output "fn_tomap" { value = tomap({ a = 1, b = "x" }) }
output "fn_to_primitive" { value = [tostring(5), tostring(true), tonumber("3.5"), tobool("true"), tostring(null) == null] }
output "fn_zipmap" { value = zipmap(["a", "b"], [1, 2]) }
output "fn_coalesce" { value = [coalesce("", "b", "c"), coalesce(null, 2), coalesce(1, "x")] }
output "fn_coalescelist" { value = coalescelist([], ["a"], ["b"]) }
output "fn_compact" { value = compact(["a", "", "b", null]) }
output "fn_range" { value = [range(3), range(1, 4), range(0, 10, 3), range(5, 0, -2), range(3, 1)] }
output "fn_setproduct" { value = setproduct(["a", "b"], [1, 2]) }
output "fn_setunion" { value = setunion(["a", "b"], ["b", "c"]) }
output "fn_one" { value = [one([]), one(["x"])] }

# Numeric functions
output "fn_numeric" { value = [min(3, 1, 2), max(3, 1, 2), max(local.list_n...), abs(-3.5), ceil(1.2), floor(-1.2), parseint("ff", 16), parseint("-101", 2), parseint("zz", 36)] }

# Encoding and hashing
output "fn_jsonencode" { value = [jsonencode({ b = [1, "x", null, true], a = { "<tag>" = "&" } }), jsonencode("é"), jsonencode(1.5), jsonencode(local.objects)] }
output "fn_jsondecode" { value = jsondecode(local.json) }
output "fn_jsondecode_scalar" { value = [jsondecode("1"), jsondecode("\"s\""), jsondecode("true")] }
output "fn_yamlencode" { value = yamlencode({ name = "x", list = [1, "two", { a = true }], empty = [], map = { k = "v" }, nothing = null }) }
output "fn_yamlencode_multiline" { value = yamlencode({ text = "line1\nline2\n" }) }
output "fn_base64" { value = [base64encode("hello"), base64decode("aGVsbG8=")] }
output "fn_hashes" { value = [md5("hello"), sha1("hello"), sha256("hello")] }

# Files
output "fn_file" { value = file("${path.module}/files/greeting.txt") }
output "fn_filebase64" { value = filebase64("${path.module}/files/greeting.txt") }
output "fn_filemd5" { value = filemd5("${path.module}/files/greeting.txt") }
output "fn_filesha1" { value = filesha1("${path.module}/files/greeting.txt") }
output "fn_filesha256" { value = filesha256("${path.module}/files/greeting.txt") }
output "fn_fileexists" { value = [fileexists("${path.module}/files/greeting.txt"), fileexists("${path.module}/nope.txt")] }
output "fn_templatefile" { value = templatefile("${path.module}/files/config.tftpl", { name = "db", ports = [5432, 6432] }) }

# try and can
output "fn_try" { value = [try(local.map_a.z, "fallback"), try(local.map_a.a, 0), try(tonumber("x"), -1)] }
output "fn_can" { value = [can(local.map_a.z), can(regex("^a", "abc")), can(tonumber("x"))] }

# Networking
output "fn_cidrsubnet" { value = [cidrsubnet("10.0.0.0/16", 8, 2), cidrsubnet("10.1.0.0/16", 4, 15), cidrsubnet("fd00::/48", 16, 3)] }
output "fn_cidrhost" { value = [cidrhost("10.0.0.0/24", 5), cidrhost("10.0.0.0/24", -1), cidrhost("fd00::/64", 10)] }
output "fn_cidrnetmask" { value = [cidrnetmask("10.0.0.0/16"), cidrnetmask("172.16.0.0/12"), cidrnetmask("0.0.0.0/0")] }

# Functions known only while planning (the console has no plan): their
# shape, since their values change between runs.
output "fn_plantimestamp_shape" { value = [can(formatdate("YYYY", plantimestamp())), length(plantimestamp())] }
output "fn_check_core_namespace" { value = [core::upper("a"), core::length([1, 2])] }
