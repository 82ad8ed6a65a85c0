# The Functions application and its two functions: the webhook (dist/func.js) and, optionally,
# the gateway authorizer (dist/authorizer.js, same Dockerfile, target authorizer). Their config
# holds OCIDs, names and limits, never a secret value.

locals {
  function_config = merge(
    {
      b2cservice_hostname    = var.b2c_hostname
      b2cservice_api_version = var.b2c_api_version
      webhook_provider       = var.webhook_provider
      webhook_signature      = var.webhook_signature
      # Signatures are computed over the URL the provider called.
      webhook_public_url            = "https://${local.public_host}"
      run_journal                   = "oci-os://${data.oci_objectstorage_namespace.this.namespace}/${local.journal_bucket}/runs"
      log_level                     = var.log_level
      OTEL_SERVICE_NAME             = local.service_name
      oci_monitoring_compartment_id = var.compartment_ocid
      oci_monitoring_namespace      = var.metric_namespace
      oci_log_id                    = oci_logging_log.function.id
      oci_secret_ttl_seconds        = tostring(var.vault_cache_seconds)
    },
    var.apm_data_upload_endpoint != "" ? { oci_apm_endpoint = var.apm_data_upload_endpoint } : {},
    local.function_secret_ocids,
    var.function_config,
  )

  authorizer_config = {
    auth_token_ocid        = var.auth_token_secret_ocid
    auth_cache_seconds     = tostring(var.auth_cache_seconds)
    oci_secret_ttl_seconds = tostring(var.vault_cache_seconds)
    log_level              = var.log_level
  }

  # Provisioned concurrency comes in units that depend on memory.
  concurrency_unit            = var.function_memory_mb == 256 ? 20 : 10
  authorizer_concurrency_unit = var.authorizer_memory_mb == 128 ? 40 : (var.authorizer_memory_mb == 256 ? 20 : 10)
}

resource "oci_functions_application" "this" {
  compartment_id = var.compartment_ocid
  display_name   = var.name_prefix
  subnet_ids     = [local.functions_subnet_id]
  shape          = var.function_shape

  dynamic "trace_config" {
    for_each = local.tracing ? [1] : []
    content {
      domain_id  = var.apm_domain_ocid
      is_enabled = true
    }
  }
  freeform_tags = var.freeform_tags

  # Functions attaches to the subnet, pulls images and joins the APM domain under the services
  # policy: wait until IAM has propagated it (iam.tf).
  depends_on = [time_sleep.iam_propagation]

  lifecycle {
    precondition {
      condition     = var.create_network || (var.existing_gateway_subnet_ocid != "" && var.existing_functions_subnet_ocid != "")
      error_message = "create_network is off: set existing_gateway_subnet_ocid and existing_functions_subnet_ocid."
    }
  }
}

resource "oci_functions_function" "webhook" {
  application_id     = oci_functions_application.this.id
  display_name       = "${var.name_prefix}-webhook"
  image              = var.function_image
  image_digest       = var.function_image_digest != "" ? var.function_image_digest : null
  memory_in_mbs      = var.function_memory_mb
  timeout_in_seconds = var.function_timeout_seconds
  config             = local.function_config

  dynamic "provisioned_concurrency_config" {
    for_each = var.provisioned_concurrency > 0 ? [1] : []
    content {
      strategy = "CONSTANT"
      count    = var.provisioned_concurrency
    }
  }

  dynamic "trace_config" {
    for_each = local.tracing ? [1] : []
    content {
      is_enabled = true
    }
  }
  freeform_tags = var.freeform_tags

  lifecycle {
    precondition {
      condition     = var.provisioned_concurrency % local.concurrency_unit == 0
      error_message = "provisioned_concurrency must be a multiple of 20 at 256 MB, 10 from 512 MB."
    }
  }
}

resource "oci_functions_function" "authorizer" {
  count              = var.enable_authorizer ? 1 : 0
  application_id     = oci_functions_application.this.id
  display_name       = "${var.name_prefix}-authorizer"
  image              = var.authorizer_image
  image_digest       = var.authorizer_image_digest != "" ? var.authorizer_image_digest : null
  memory_in_mbs      = var.authorizer_memory_mb
  timeout_in_seconds = 10
  config             = local.authorizer_config
  freeform_tags      = var.freeform_tags

  # The gateway waits for the authorizer before every uncached admission: its cold start is the
  # webhook's too. Provisioned concurrency keeps instances warm.
  dynamic "provisioned_concurrency_config" {
    for_each = var.authorizer_provisioned_concurrency > 0 ? [1] : []
    content {
      strategy = "CONSTANT"
      count    = var.authorizer_provisioned_concurrency
    }
  }

  lifecycle {
    precondition {
      condition     = var.authorizer_image != "" && var.auth_token_secret_ocid != ""
      error_message = "enable_authorizer needs authorizer_image and auth_token_secret_ocid (the token is the authorizer's only gate)."
    }
    precondition {
      condition     = var.authorizer_provisioned_concurrency % local.authorizer_concurrency_unit == 0
      error_message = "authorizer_provisioned_concurrency must be a multiple of 40 at 128 MB, 20 at 256 MB, 10 from 512 MB."
    }
  }
}
