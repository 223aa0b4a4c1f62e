variable "site" {
  description = "The site's name (its key in the failover group), e.g. eastus."
  type        = string
}

variable "location" {
  type = string
}

variable "role" {
  description = "active or standby, from the failover group."
  type        = string
  validation {
    condition     = contains(["active", "standby"], var.role)
    error_message = "role must be active or standby."
  }
}

variable "replicating" {
  description = "Whether the standby replicates from the active site (false after a failover, until failback re-seeds it)."
  type        = bool
}

variable "database" {
  description = "The database's own role and replication, when a failover scoped to components moved it apart from the site; null follows role and replicating."
  type = object({
    role        = string
    replicating = bool
  })
  default = null
}

variable "capacity_role" {
  description = "The node pools' own role (active or standby) after a failover scoped to components; null follows role."
  type        = string
  default     = null
}

variable "name_prefix" {
  type = string
}

variable "subscription_id" {
  type = string
}

variable "peer" {
  description = "The other site of the pair: names used to build its resource ids."
  type = object({
    site           = string
    resource_group = string
    postgres_name  = string
    redis_name     = string
  })
}

variable "peer_postgres_id" {
  description = "The other site's database server, the source of this one's replica."
  type        = string
}

variable "sizes" {
  description = "Node counts per role, from the DR plan."
  type = object({
    system_vm_size      = string
    application_vm_size = string
    code_vm_size        = string
    application_active  = object({ min = number, max = number })
    application_standby = number
    code_active         = object({ min = number, max = number })
    code_standby        = number
  })
}

variable "zones" {
  description = "Availability zones of the node pools and the cache (the DR plan survives a zone failure without a failover)."
  type        = list(string)
  default     = ["1", "2", "3"]
}

variable "oncall_email" {
  description = "Where the site's alert rules send (its action group's email receiver)."
  type        = string
  default     = "oncall@aiwf.example.com"
}
