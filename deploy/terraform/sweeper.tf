# Auto-completion (docs/exactly-once.md, "Finishing without anyone"): the webhook's image deployed a
# second time as the sweeper (function config function_role = sweeper) and invoked on a schedule by
# OCI Resource Scheduler ("Scheduling Functions": a resource schedule whose action starts the
# function). The sweeper finishes the runs that failed retryably or were cut off, through the same
# service as a delivery, and gives up (paging through the failed-run alarm) after
# sweep_give_up_after_ms (24 h; set it in function_config).
#
# Why a second function and not a flag on the webhook: what a function is comes from its config,
# which only this module sets. The gateway routes only to the webhook function, so no caller of the
# public URL can make anything sweep, and the sweeper never reads its request body as a webhook.

variable "sweep_schedule" {
  description = "When the sweeper runs: a UNIX cron expression (UTC) for OCI Resource Scheduler. Empty: no sweeper (failed runs wait for a redelivery or `runs redrive`)."
  type        = string
  default     = "*/5 * * * *"

  validation {
    condition     = var.sweep_schedule == "" || length(split(" ", trimspace(var.sweep_schedule))) == 5
    error_message = "sweep_schedule is a five-field cron expression (minute hour day-of-month month day-of-week), or empty."
  }
}

locals {
  sweeper_enabled = var.sweep_schedule != ""
  # The webhook's config (same site, journal, secrets, metric names: a give-up pages the webhook's
  # failed-run alarm), plus its role.
  sweeper_config = merge(local.function_config, { function_role = "sweeper" })
}

resource "oci_functions_function" "sweeper" {
  count          = local.sweeper_enabled ? 1 : 0
  application_id = oci_functions_application.this.id
  display_name   = "${var.name_prefix}-sweeper"
  image          = var.function_image
  image_digest   = var.function_image_digest != "" ? var.function_image_digest : null
  memory_in_mbs  = var.function_memory_mb
  # A sweep drains a backlog sweep_concurrency runs at a time, each within sweep_run_budget_ms, and
  # starts none it could not end before this timeout: 5 minutes drain hundreds of runs in one pass.
  timeout_in_seconds = 300
  config             = local.sweeper_config
  freeform_tags      = var.freeform_tags

  lifecycle {
    precondition {
      # function_config reaches the webhook too: a role there would make the webhook a sweeper.
      condition     = !contains(keys(var.function_config), "function_role")
      error_message = "function_config must not set function_role: this module gives each function its role."
    }
  }
}

resource "oci_resource_scheduler_schedule" "sweep" {
  count              = local.sweeper_enabled ? 1 : 0
  compartment_id     = var.compartment_ocid
  display_name       = "${var.name_prefix}-sweep"
  description        = "Invokes the sms-incident sweeper: finishes failed and cut-off runs (docs/runbook.md)."
  action             = "START_RESOURCE"
  recurrence_type    = "CRON"
  recurrence_details = var.sweep_schedule

  resources {
    id = oci_functions_function.sweeper[0].id
  }
  freeform_tags = var.freeform_tags
}

# The sweeper reads and writes what the webhook does: its secrets, metrics, log and journal.
resource "oci_identity_dynamic_group" "sweeper" {
  count          = local.sweeper_enabled ? 1 : 0
  provider       = oci.home
  compartment_id = var.tenancy_ocid
  name           = "${var.name_prefix}-sweeper"
  description    = "The sms-incident sweeper function."
  matching_rule  = "ALL {resource.type = 'fnfunc', resource.id = '${oci_functions_function.sweeper[0].id}'}"
  freeform_tags  = var.freeform_tags
}

locals {
  sweeper_statements = local.sweeper_enabled ? concat(
    [
      "Allow dynamic-group ${oci_identity_dynamic_group.sweeper[0].name} to read secret-bundles in compartment id ${local.vault_compartment_id} where ANY {${local.webhook_secrets_condition}}",
      "Allow dynamic-group ${oci_identity_dynamic_group.sweeper[0].name} to use metrics in compartment id ${var.compartment_ocid} where target.metrics.namespace = '${var.metric_namespace}'",
      "Allow dynamic-group ${oci_identity_dynamic_group.sweeper[0].name} to use log-content in compartment id ${var.compartment_ocid} where target.loggroup.id = '${oci_logging_log_group.this.id}'",
    ],
    # The journal, as the webhook has it (iam.tf): create, overwrite, read and list, never delete.
    [for p in local.journal_permissions : "Allow dynamic-group ${oci_identity_dynamic_group.sweeper[0].name} to manage objects in compartment id ${var.compartment_ocid} where ALL {target.bucket.name = '${oci_objectstorage_bucket.journal.name}', request.permission = '${p}'}"],
    [
      # Resource Scheduler acts as the schedule's own principal: only this schedule may invoke, only here.
      "Allow any-user to use functions-family in compartment id ${var.compartment_ocid} where ALL {request.principal.type = 'resourceschedule', request.principal.id = '${oci_resource_scheduler_schedule.sweep[0].id}'}",
    ],
  ) : []
}

resource "oci_identity_policy" "sweeper" {
  count          = local.sweeper_enabled ? 1 : 0
  provider       = oci.home
  compartment_id = var.tenancy_ocid
  name           = "${var.name_prefix}-sweeper"
  description    = "What the sms-incident sweeper and its schedule may do."
  statements     = local.sweeper_statements
  freeform_tags  = var.freeform_tags
}
