# Logs in OCI Logging: the function's own JSON lines (PutLogs to a custom log), the Functions
# invoke log, and the gateway's execution and access logs.

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

resource "oci_logging_log" "invoke" {
  display_name       = "${var.name_prefix}-invoke"
  log_group_id       = oci_logging_log_group.this.id
  log_type           = "SERVICE"
  is_enabled         = true
  retention_duration = var.log_retention_days
  configuration {
    compartment_id = var.compartment_ocid
    source {
      category    = "invoke"
      resource    = oci_functions_application.this.id
      service     = "functions"
      source_type = "OCISERVICE"
    }
  }
  freeform_tags = var.freeform_tags
}

resource "oci_logging_log" "gateway_execution" {
  display_name       = "${var.name_prefix}-gateway-execution"
  log_group_id       = oci_logging_log_group.this.id
  log_type           = "SERVICE"
  is_enabled         = true
  retention_duration = var.log_retention_days
  configuration {
    compartment_id = var.compartment_ocid
    source {
      category    = "execution"
      resource    = oci_apigateway_deployment.webhook.id
      service     = "apigateway"
      source_type = "OCISERVICE"
    }
  }
  freeform_tags = var.freeform_tags
}

resource "oci_logging_log" "gateway_access" {
  display_name       = "${var.name_prefix}-gateway-access"
  log_group_id       = oci_logging_log_group.this.id
  log_type           = "SERVICE"
  is_enabled         = true
  retention_duration = var.log_retention_days
  configuration {
    compartment_id = var.compartment_ocid
    source {
      category    = "access"
      resource    = oci_apigateway_deployment.webhook.id
      service     = "apigateway"
      source_type = "OCISERVICE"
    }
  }
  freeform_tags = var.freeform_tags
}
