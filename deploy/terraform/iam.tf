# Least privilege. Each function is its own dynamic group (matched by its OCID) and gets only
# what its code calls: the webhook reads its secrets, posts metrics in its namespace, writes
# its log group and the journal bucket; the authorizer reads its token. Services get what they
# need to act for us: the gateway invokes functions in this compartment, Object Storage applies
# the lifecycle rule, Functions pulls images and joins the APM domain.
# Dynamic groups and policies live in the tenancy (policies there may name any compartment: the
# Vault's or the images' may lie outside compartment_ocid) and are written in the home region.
# Policies take effect after IAM propagates them: what a service does under a new policy during
# the apply (Functions attaching the application, Object Storage using the bucket's key and
# applying the lifecycle rule) waits for time_sleep.iam_propagation.

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

# The APM domain's compartment: APM's policy reference documents only the general variables (none
# names a domain), so the Functions service's grant is scoped by the domain's compartment.
data "oci_apm_apm_domain" "trace" {
  count         = local.tracing ? 1 : 0
  apm_domain_id = var.apm_domain_ocid
}

locals {
  webhook_dg = oci_identity_dynamic_group.webhook.name
  # One condition over every secret the webhook reads (values are OCIDs from variables).
  webhook_secrets_condition = join(", ", [for ocid in values(local.function_secret_ocids) : "target.secret.id = '${ocid}'"])
  # What the journal does (src/journal/object-storage-store.ts): PutObject of a new record or index
  # entry (OBJECT_CREATE) and compare-and-set over one (OBJECT_OVERWRITE), GetObject (OBJECT_READ),
  # ListObjects (OBJECT_INSPECT). Never a delete: expiry is the lifecycle rule's.
  journal_permissions = ["OBJECT_CREATE", "OBJECT_OVERWRITE", "OBJECT_READ", "OBJECT_INSPECT"]

  webhook_statements = concat(
    [
      "Allow dynamic-group ${local.webhook_dg} to read secret-bundles in compartment id ${local.vault_compartment_id} where ANY {${local.webhook_secrets_condition}}",
      "Allow dynamic-group ${local.webhook_dg} to use metrics in compartment id ${var.compartment_ocid} where target.metrics.namespace = '${var.metric_namespace}'",
      "Allow dynamic-group ${local.webhook_dg} to use log-content in compartment id ${var.compartment_ocid} where target.loggroup.id = '${oci_logging_log_group.this.id}'",
    ],
    # Conditions do not nest (all|any {condition, …}): one statement per permission.
    [for p in local.journal_permissions : "Allow dynamic-group ${local.webhook_dg} to manage objects in compartment id ${var.compartment_ocid} where ALL {target.bucket.name = '${oci_objectstorage_bucket.journal.name}', request.permission = '${p}'}"],
  )

  service_statements = concat(
    [
      # API Gateway → the webhook and the authorizer.
      "Allow any-user to use functions-family in compartment id ${var.compartment_ocid} where ALL {request.principal.type = 'ApiGateway', request.resource.compartment.id = '${var.compartment_ocid}'}",
      # Functions pulls the images and attaches the functions to their subnet.
      var.image_repository_compartment_ocid != "" ? "Allow service faas to read repos in compartment id ${var.image_repository_compartment_ocid}" : "Allow service faas to read repos in tenancy",
      "Allow service faas to use virtual-network-family in compartment id ${local.network_compartment_id}",
    ],
    local.tracing ? ["Allow service faas to use apm-domains in compartment id ${data.oci_apm_apm_domain.trace[0].compartment_id}"] : [],
  )

  # Object Storage, as a service, for the journal bucket: apply the lifecycle rule, and encrypt with
  # the bucket's Vault key. The key may sit in any compartment: the grant names the tenancy and is
  # narrowed to that one key.
  objectstorage_statements = concat(
    ["Allow service objectstorage-${var.region} to manage object-family in compartment id ${var.compartment_ocid} where target.bucket.name = '${local.journal_bucket}'"],
    var.journal_kms_key_ocid != "" ? ["Allow service objectstorage-${var.region} to use keys in tenancy where target.key.id = '${var.journal_kms_key_ocid}'"] : [],
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

# Object Storage needs its permissions before the bucket (a Vault key) and its lifecycle rule exist:
# this policy depends on nothing the bucket makes.
resource "oci_identity_policy" "objectstorage_lifecycle" {
  provider       = oci.home
  compartment_id = var.tenancy_ocid
  name           = "${var.name_prefix}-objectstorage-lifecycle"
  description    = "Object Storage may delete expired run records of the sms-incident journal and use its Vault key."
  statements     = local.objectstorage_statements
  freeform_tags  = var.freeform_tags
}

# Policies are written in the home region and reach the services after a delay; the first apply
# would otherwise race them (bucket with a Vault key, lifecycle rule, application on its subnet).
# A later apply waits again only when a statement these services need changes.
resource "time_sleep" "iam_propagation" {
  create_duration = local.iam_propagation_wait
  triggers = {
    objectstorage = join("\n", local.objectstorage_statements)
    services      = join("\n", local.service_statements)
  }
  depends_on = [oci_identity_policy.objectstorage_lifecycle, oci_identity_policy.services]
}

locals {
  # How long the wait is (docs/deploy.md, "IAM propagation").
  iam_propagation_wait = "90s"
}
