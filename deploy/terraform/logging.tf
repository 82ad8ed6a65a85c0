# Logs in OCI Logging: the function's own JSON lines (PutLogs to a custom log), and the service
# logs: the Functions invoke log and the gateway deployment's execution and access logs.

resource "oci_logging_log_group" "this" {
  compartment_id = var.compartment_ocid
  display_name   = "${var.name_prefix}-logs"
  freeform_tags  = var.freeform_tags
}

resource "oci_logging_log" "function" {
  display_name       = "${var.name_prefix}-function"
  log_group_id       = oci_logging_log_group.this.id
  log_type           = "CUSTOM"
  is_enabled         = true
  retention_duration = var.log_retention_days
  freeform_tags      = var.freeform_tags
}

locals {
  service_logs = merge(
    {
      invoke            = { service = "functions", category = "invoke", resource = oci_functions_application.this.id }
      gateway-execution = { service = "apigateway", category = "execution", resource = oci_apigateway_deployment.webhook.id }
    },
    # The access log records each request line (requestUri, message): with the token in the query
    # string it would hold the token, so it is not created then (docs/deploy.md, "Tokens in URLs").
    local.query_token ? {} : {
      gateway-access = { service = "apigateway", category = "access", resource = oci_apigateway_deployment.webhook.id }
    },
  )
}

resource "oci_logging_log" "service" {
  for_each           = local.service_logs
  display_name       = "${var.name_prefix}-${each.key}"
  log_group_id       = oci_logging_log_group.this.id
  log_type           = "SERVICE"
  is_enabled         = true
  retention_duration = var.log_retention_days
  configuration {
    compartment_id = var.compartment_ocid
    source {
      category    = each.value.category
      resource    = each.value.resource
      service     = each.value.service
      source_type = "OCISERVICE"
    }
  }
  freeform_tags = var.freeform_tags
}
