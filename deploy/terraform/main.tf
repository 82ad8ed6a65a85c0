# sms-incident on OCI: API Gateway → the function (→ B2C Service), with its run journal,
# logs, metrics and alarms, and least-privilege IAM. Files: network, functions, gateway,
# journal, logging, alarms, iam; alarms.json is generated (npm run alarms:terraform).

data "oci_objectstorage_namespace" "this" {
  compartment_id = var.compartment_ocid
}

locals {
  route_prefix = "/webhooks"
  route_path   = "/sms-to-incident"

  gateway_subnet_id   = var.create_network ? oci_core_subnet.gateway[0].id : var.existing_gateway_subnet_ocid
  functions_subnet_id = var.create_network ? oci_core_subnet.functions[0].id : var.existing_functions_subnet_ocid

  vault_compartment_id = var.vault_compartment_ocid != "" ? var.vault_compartment_ocid : var.compartment_ocid
  journal_bucket       = var.journal_bucket_name != "" ? var.journal_bucket_name : "${var.name_prefix}-runs"
  public_host          = var.public_hostname != "" ? var.public_hostname : oci_apigateway_gateway.this.hostname
  tracing              = var.apm_domain_ocid != ""
  # The functionName dimension of the metrics, the spans' service.name, and the alarms' filter.
  service_name = var.name_prefix

  # Every Vault secret a function reads, by the key that reads it.
  function_secret_ocids = { for k, v in {
    b2cservice_username_ocid     = var.b2c_username_secret_ocid
    b2cservice_password_ocid     = var.b2c_password_secret_ocid
    twilio_auth_token_ocid       = var.twilio_auth_token_secret_ocid
    vonage_signature_secret_ocid = var.vonage_signature_secret_ocid
    webhook_hmac_secret_ocid     = var.webhook_hmac_secret_ocid
    oci_apm_data_key_ocid        = var.apm_data_key_secret_ocid
  } : k => v if v != "" }
}
