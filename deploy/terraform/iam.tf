# Least privilege. Each function is its own dynamic group (matched by its OCID) and gets only
# what its code calls: the webhook reads its secrets, posts metrics in its namespace, writes
# its log group and the journal bucket; the authorizer reads its token. Services get what they
# need to act for us: the gateway invokes functions in this compartment, Object Storage applies
# the lifecycle rule, Functions pulls images and joins the APM domain.
# Dynamic groups and policies live in the tenancy (policies there may name any compartment: the
# Vault's or the images' may lie outside compartment_ocid) and are written in the home region.

resource "oci_identity_dynamic_group" "webhook" {
  provider       = oci.home
  compartment_id = var.tenancy_ocid
  name           = "${var.name_prefix}-webhook"
  description    = "The sms-incident webhook function."
  matching_rule  = "ALL {resource.type = 'fnfunc', resource.id = '${oci_functions_function.webhook.id}'}"
  freeform_tags  = var.freeform_tags
}

resource "oci_identity_dynamic_group" "authorizer" {
  count          = var.enable_authorizer && var.auth_token_secret_ocid != "" ? 1 : 0
  provider       = oci.home
  compartment_id = var.tenancy_ocid
  name           = "${var.name_prefix}-authorizer"
  description    = "The sms-incident gateway authorizer function."
  matching_rule  = "ALL {resource.type = 'fnfunc', resource.id = '${oci_functions_function.authorizer[0].id}'}"
  freeform_tags  = var.freeform_tags
}

locals {
  webhook_dg = oci_identity_dynamic_group.webhook.name
  # One condition over every secret the webhook reads (values are OCIDs from variables).
  webhook_secrets_condition = join(", ", [for ocid in values(local.function_secret_ocids) : "target.secret.id = '${ocid}'"])

  webhook_statements = concat(
    [
      "Allow dynamic-group ${local.webhook_dg} to read secret-bundles in compartment id ${local.vault_compartment_id} where ANY {${local.webhook_secrets_condition}}",
      "Allow dynamic-group ${local.webhook_dg} to use metrics in compartment id ${var.compartment_ocid} where target.metrics.namespace = '${var.metric_namespace}'",
      "Allow dynamic-group ${local.webhook_dg} to use log-content in compartment id ${var.compartment_ocid} where target.loggroup.id = '${oci_logging_log_group.this.id}'",
      "Allow dynamic-group ${local.webhook_dg} to manage objects in compartment id ${var.compartment_ocid} where target.bucket.name = '${oci_objectstorage_bucket.journal.name}'",
    ],
    var.journal_kms_key_ocid != "" ? ["Allow service objectstorage-${var.region} to use keys in compartment id ${var.compartment_ocid} where target.key.id = '${var.journal_kms_key_ocid}'"] : [],
  )

  service_statements = concat(
    [
      # API Gateway → the webhook and the authorizer.
      "Allow any-user to use functions-family in compartment id ${var.compartment_ocid} where ALL {request.principal.type = 'ApiGateway', request.resource.compartment.id = '${var.compartment_ocid}'}",
      # Functions pulls the images and attaches the functions to their subnet.
      var.image_repository_compartment_ocid != "" ? "Allow service faas to read repos in compartment id ${var.image_repository_compartment_ocid}" : "Allow service faas to read repos in tenancy",
      "Allow service faas to use virtual-network-family in compartment id ${local.network_compartment_id}",
    ],
    local.tracing ? ["Allow service faas to use apm-domains in compartment id ${var.compartment_ocid} where target.apm-domain.id = '${var.apm_domain_ocid}'"] : [],
  )
}

resource "oci_identity_policy" "webhook" {
  provider       = oci.home
  compartment_id = var.tenancy_ocid
  name           = "${var.name_prefix}-webhook"
  description    = "What the sms-incident webhook function may do."
  statements     = local.webhook_statements
  freeform_tags  = var.freeform_tags
}

resource "oci_identity_policy" "authorizer" {
  count          = var.enable_authorizer && var.auth_token_secret_ocid != "" ? 1 : 0
  provider       = oci.home
  compartment_id = var.tenancy_ocid
  name           = "${var.name_prefix}-authorizer"
  description    = "What the sms-incident authorizer function may do."
  statements = [
    "Allow dynamic-group ${oci_identity_dynamic_group.authorizer[0].name} to read secret-bundles in compartment id ${local.vault_compartment_id} where target.secret.id = '${var.auth_token_secret_ocid}'",
  ]
  freeform_tags = var.freeform_tags
}

resource "oci_identity_policy" "services" {
  provider       = oci.home
  compartment_id = var.tenancy_ocid
  name           = "${var.name_prefix}-services"
  description    = "What OCI services may do for sms-incident."
  statements     = local.service_statements
  freeform_tags  = var.freeform_tags
}

# Object Storage's lifecycle policy needs its permission before the rule is created.
resource "oci_identity_policy" "objectstorage_lifecycle" {
  provider       = oci.home
  compartment_id = var.tenancy_ocid
  name           = "${var.name_prefix}-objectstorage-lifecycle"
  description    = "Object Storage may delete expired run records of the sms-incident journal."
  statements     = ["Allow service objectstorage-${var.region} to manage object-family in compartment id ${var.compartment_ocid} where target.bucket.name = '${local.journal_bucket}'"]
  freeform_tags  = var.freeform_tags
}
