# The site's alerting, the DR plan's step 10: its rules are on while the
# site is active and off while it stands by, so a failover turns the DR
# site's rules on and the old primary's off (in its traffic phase, once
# users have moved), and a failback turns them back.

resource "azurerm_monitor_action_group" "oncall" {
  name                = "ag-${var.name_prefix}-${var.site}"
  resource_group_name = azurerm_resource_group.site.name
  short_name          = substr("oncall-${var.site}", 0, 12)
  tags                = local.tags

  email_receiver {
    name                    = "oncall"
    email_address           = var.oncall_email
    use_common_alert_schema = true
  }
}

resource "azurerm_monitor_metric_alert" "aks_cpu" {
  name                = "aks-cpu-${var.name_prefix}-${var.site}"
  resource_group_name = azurerm_resource_group.site.name
  scopes              = [azurerm_kubernetes_cluster.aks.id]
  description         = "AKS node CPU above 80% on ${var.site}"
  severity            = 2
  frequency           = "PT5M"
  window_size         = "PT15M"
  enabled             = local.active
  tags                = local.tags

  criteria {
    metric_namespace = "Microsoft.ContainerService/managedClusters"
    metric_name      = "node_cpu_usage_percentage"
    aggregation      = "Average"
    operator         = "GreaterThan"
    threshold        = 80
  }

  action {
    action_group_id = azurerm_monitor_action_group.oncall.id
  }
}

resource "azurerm_monitor_metric_alert" "db_cpu" {
  name                = "db-cpu-${var.name_prefix}-${var.site}"
  resource_group_name = azurerm_resource_group.site.name
  scopes              = [azurerm_postgresql_flexible_server.db.id]
  description         = "PostgreSQL CPU above 85% on ${var.site}"
  severity            = 1
  enabled             = local.active
  tags                = local.tags

  criteria {
    metric_namespace = "Microsoft.DBforPostgreSQL/flexibleServers"
    metric_name      = "cpu_percent"
    aggregation      = "Average"
    operator         = "GreaterThan"
    threshold        = 85
  }

  action {
    action_group_id = azurerm_monitor_action_group.oncall.id
  }
}

resource "azurerm_monitor_activity_log_alert" "failed_operations" {
  name                = "ops-failed-${var.name_prefix}-${var.site}"
  resource_group_name = azurerm_resource_group.site.name
  location            = "global"
  scopes              = [azurerm_resource_group.site.id]
  description         = "Failed administrative operations on ${var.site}'s resources"
  enabled             = local.active
  tags                = local.tags

  criteria {
    category = "Administrative"
    levels   = ["Error", "Critical"]
  }

  action {
    action_group_id = azurerm_monitor_action_group.oncall.id
  }
}
