# The DR plan's runbook steps beside the phases: the team hears of a
# failover as it starts, as each phase ends and how it ended (steps 2 and
# 11), and the verify phase checks the gateway, auth and agent services of
# the site traffic moved to (step 9). Webhook URLs carry their token: they
# come from sensitive variables (or TF_VAR_ in the environment) and are
# never shown; left unset, a target is off.

variable "chat_webhook_url" {
  description = "Slack incoming webhook of the incident channel."
  type        = string
  sensitive   = true
  default     = null
}

variable "teams_webhook_url" {
  description = "Microsoft Teams incoming webhook of the platform team."
  type        = string
  sensitive   = true
  default     = null
}

variable "status_webhook_url" {
  description = "The status page's webhook (drinfra's JSON)."
  type        = string
  sensitive   = true
  default     = null
}

notification "incident_channel" {
  format = "slack"
  url    = var.chat_webhook_url
}

notification "platform_team" {
  format = "teams"
  url    = var.teams_webhook_url
}

notification "status_page" {
  format = "webhook"
  url    = var.status_webhook_url
}

health_check "eastus_gateway" {
  site          = "eastus"
  url           = "https://gateway.eastus.aiwf.example.com/health"
  expect_status = 200
  interval      = "10s"
  timeout       = "5s"
  attempts      = 6
}

health_check "eastus_auth" {
  site          = "eastus"
  url           = "https://gateway.eastus.aiwf.example.com/api/auth/health"
  expect_status = 200
}

health_check "eastus_agent" {
  site          = "eastus"
  url           = "https://gateway.eastus.aiwf.example.com/api/agents/health"
  expect_status = 200
}

health_check "westeurope_gateway" {
  site          = "westeurope"
  url           = "https://gateway.westeurope.aiwf.example.com/health"
  expect_status = 200
  interval      = "10s"
  timeout       = "5s"
  attempts      = 6
}

health_check "westeurope_auth" {
  site          = "westeurope"
  url           = "https://gateway.westeurope.aiwf.example.com/api/auth/health"
  expect_status = 200
}

health_check "westeurope_agent" {
  site          = "westeurope"
  url           = "https://gateway.westeurope.aiwf.example.com/api/agents/health"
  expect_status = 200
}
