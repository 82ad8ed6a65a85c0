# Everything site-specific. Secrets are referenced by their OCI Vault secret OCID only: no secret
# value is ever a variable, so none lands in the Terraform state.

# ── Where ────────────────────────────────────────────────────────────────────
variable "tenancy_ocid" {
  type        = string
  description = "Tenancy OCID: dynamic groups live in the tenancy (root) compartment."
  validation {
    condition     = can(regex("^ocid1\\.tenancy\\.", var.tenancy_ocid))
    error_message = "tenancy_ocid must be a tenancy OCID (ocid1.tenancy.…)."
  }
}

variable "region" {
  type        = string
  description = "Region to deploy to, e.g. us-ashburn-1 or us-gov-ashburn-1."
  validation {
    condition     = can(regex("^[a-z]{2,}(-[a-z0-9]+)+-[0-9]+$", var.region))
    error_message = "region must be a region identifier such as us-ashburn-1 or us-gov-ashburn-1."
  }
}

variable "compartment_ocid" {
  type        = string
  description = "Compartment for every resource (network, functions, gateway, logs, alarms, bucket, policies)."
  validation {
    condition     = can(regex("^ocid1\\.(compartment|tenancy)\\.", var.compartment_ocid))
    error_message = "compartment_ocid must be a compartment OCID (ocid1.compartment.…)."
  }
}

variable "name_prefix" {
  type        = string
  default     = "sms-incident"
  description = "Prefix of every display name, the dynamic groups, policies and the topic (topic names are unique per tenancy)."
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name_prefix))
    error_message = "name_prefix: 2-31 characters, lower-case letters, digits and '-', starting with a letter."
  }
}

variable "freeform_tags" {
  type        = map(string)
  default     = {}
  description = "Free-form tags added to every taggable resource."
}

# ── Network ──────────────────────────────────────────────────────────────────
variable "create_network" {
  type        = bool
  default     = true
  description = "Create a VCN with a public subnet for the gateway and a private one (NAT + service gateway) for the functions. Off: give existing_gateway_subnet_ocid and existing_functions_subnet_ocid."
}

variable "vcn_cidr" {
  type        = string
  default     = "10.20.0.0/16"
  description = "CIDR of the VCN created when create_network is on (OCI takes /16 to /30; the two subnets carved from it need /16 to /20); the gateway subnet is its first /24 (of a /16), the functions subnet the second."
  validation {
    condition     = can(regex("^([0-9]{1,3}\\.){3}[0-9]{1,3}/(1[6-9]|20)$", var.vcn_cidr)) && can(cidrsubnet(var.vcn_cidr, 8, 1))
    error_message = "vcn_cidr must be an IPv4 CIDR of /16 to /20, e.g. 10.20.0.0/16."
  }
}

variable "gateway_ingress_cidrs" {
  type        = list(string)
  default     = ["0.0.0.0/0"]
  description = "Who may reach the gateway on 443: the created gateway subnet's security list, or an NSG on the gateway with your own subnet. The only address control: narrow it to your SMS provider's published ranges."
  validation {
    condition     = length(var.gateway_ingress_cidrs) > 0 && alltrue([for c in var.gateway_ingress_cidrs : can(cidrhost(c, 0))])
    error_message = "gateway_ingress_cidrs must list at least one CIDR."
  }
}

variable "existing_gateway_subnet_ocid" {
  type        = string
  default     = ""
  description = "With create_network off: a public regional subnet for the API gateway (ingress 443)."
  validation {
    condition     = var.existing_gateway_subnet_ocid == "" || can(regex("^ocid1\\.subnet\\.", var.existing_gateway_subnet_ocid))
    error_message = "existing_gateway_subnet_ocid must be empty or a subnet OCID."
  }
}

variable "existing_functions_subnet_ocid" {
  type        = string
  default     = ""
  description = "With create_network off: a private subnet for the functions, with a route to the internet (NAT, B2C Service) and to Oracle services (service gateway)."
  validation {
    condition     = var.existing_functions_subnet_ocid == "" || can(regex("^ocid1\\.subnet\\.", var.existing_functions_subnet_ocid))
    error_message = "existing_functions_subnet_ocid must be empty or a subnet OCID."
  }
}

# ── The function ─────────────────────────────────────────────────────────────
variable "function_image" {
  type        = string
  description = "The function's image in OCI Registry, e.g. iad.ocir.io/<namespace>/sms-incident:0.1.0 or ocir.us-ashburn-1.oci.oraclecloud.com/<namespace>/sms-incident:0.1.0 (docker build, default target)."
  validation {
    condition     = can(regex("^([a-z0-9-]+\\.ocir\\.io|(ocir|artifacts)\\.[a-z0-9-]+\\.oci\\.[a-z0-9.-]+)/[a-z0-9_-]+/[a-z0-9._/-]+(:[A-Za-z0-9._-]{1,128})?$", var.function_image))
    error_message = "function_image must be an OCI Registry image, <region-key>.ocir.io/<namespace>/<repo>[:tag] or ocir.<region>.oci.<realm domain>/<namespace>/<repo>[:tag]."
  }
}

variable "function_image_digest" {
  type        = string
  default     = ""
  description = "sha256 digest of function_image, to pin exactly what runs (change it together with the tag)."
  validation {
    condition     = var.function_image_digest == "" || can(regex("^sha256:[0-9a-f]{64}$", var.function_image_digest))
    error_message = "function_image_digest must be empty or sha256:<64 hex>."
  }
}

variable "function_shape" {
  type        = string
  default     = "GENERIC_X86"
  description = "Functions application shape; the image must be built for it (the Dockerfile builds x86 by default). Changing it replaces the application."
  validation {
    condition     = contains(["GENERIC_X86", "GENERIC_ARM", "GENERIC_X86_ARM"], var.function_shape)
    error_message = "function_shape must be GENERIC_X86, GENERIC_ARM or GENERIC_X86_ARM."
  }
}

variable "function_memory_mb" {
  type        = number
  default     = 256
  description = "Memory of the webhook function and the sweeper (one image), MB; at least 256: the image starts Node with a 152 MB V8 heap (--max-old-space-size=128 --max-semi-space-size=8, Dockerfile) and Node needs ~100 MB besides it. Measured peak RSS over 10,000 warm runs: 109-135 MB (telemetry on: 127 MB Node 20, 135 MB Node 22); 100 webhooks at once into one container: 146-156 MB (docs/performance.md, Memory)."
  validation {
    condition     = contains([256, 512, 1024, 2048, 3072], var.function_memory_mb)
    error_message = "function_memory_mb must be one of 256, 512, 1024, 2048, 3072: the image's V8 heap (152 MB) and Node besides it do not fit 128 MB."
  }
}

variable "function_timeout_seconds" {
  type        = number
  default     = 30
  description = "The function's timeout; its deadline budget (Fn-Deadline) follows it."
  validation {
    condition     = var.function_timeout_seconds >= 10 && var.function_timeout_seconds <= 300
    error_message = "function_timeout_seconds must be between 10 and 300."
  }
}

variable "provisioned_concurrency" {
  type        = number
  default     = 0
  description = "Provisioned concurrency units against cold starts (0 = none). A multiple of 20 at 256 MB, 10 from 512 MB."
  validation {
    condition     = var.provisioned_concurrency >= 0 && floor(var.provisioned_concurrency) == var.provisioned_concurrency
    error_message = "provisioned_concurrency must be a whole number, 0 or more."
  }
}

variable "log_level" {
  type        = string
  default     = "info"
  description = "Minimum level of the function's JSON log lines."
  validation {
    condition     = contains(["debug", "info", "warn", "error"], var.log_level)
    error_message = "log_level must be debug, info, warn or error."
  }
}

variable "function_config" {
  type        = map(string)
  default     = {}
  description = "More function config keys (docs/configuration.md), e.g. reply_template or b2cservice_phone_type. Secrets only as *_ocid keys."
  validation {
    condition     = length(setintersection(keys(var.function_config), ["b2cservice_username", "b2cservice_password", "twilio_auth_token", "vonage_signature_secret", "webhook_hmac_secret", "oci_apm_data_key", "auth_token"])) == 0
    error_message = "function_config must not hold a secret value: give its Vault secret OCID in the *_secret_ocid variable instead."
  }
}

variable "image_repository_compartment_ocid" {
  type        = string
  default     = ""
  description = "Compartment of the OCIR repositories the Functions service pulls from; empty: any in the tenancy."
  validation {
    condition     = var.image_repository_compartment_ocid == "" || can(regex("^ocid1\\.(compartment|tenancy)\\.", var.image_repository_compartment_ocid))
    error_message = "image_repository_compartment_ocid must be empty or a compartment OCID."
  }
}

# ── B2C Service ──────────────────────────────────────────────────────────────
variable "b2c_hostname" {
  type        = string
  description = "The B2C Service site host, e.g. mysite.custhelp.com."
  validation {
    condition     = can(regex("^[A-Za-z0-9.-]+$", var.b2c_hostname))
    error_message = "b2c_hostname must be a bare host name such as mysite.custhelp.com."
  }
}

variable "b2c_api_version" {
  type        = string
  default     = "v1.4"
  description = "Connect REST API version."
  validation {
    condition     = can(regex("^(v[0-9]+\\.[0-9]+|latest)$", var.b2c_api_version))
    error_message = "b2c_api_version must be like v1.4, or latest."
  }
}

variable "b2c_username_secret_ocid" {
  type        = string
  description = "Vault secret holding the B2C Service API user name."
  validation {
    condition     = can(regex("^ocid1\\.vaultsecret\\.", var.b2c_username_secret_ocid))
    error_message = "b2c_username_secret_ocid must be a Vault secret OCID."
  }
}

variable "b2c_password_secret_ocid" {
  type        = string
  description = "Vault secret holding the B2C Service API password."
  validation {
    condition     = can(regex("^ocid1\\.vaultsecret\\.", var.b2c_password_secret_ocid))
    error_message = "b2c_password_secret_ocid must be a Vault secret OCID."
  }
}

variable "vault_cache_seconds" {
  type        = number
  default     = 600
  description = "How long a warm container reuses a secret read from Vault (both functions' oci_secret_ttl_seconds); lower it for a rotation (docs/runbook.md)."
  validation {
    condition     = var.vault_cache_seconds >= 0 && var.vault_cache_seconds <= 86400 && floor(var.vault_cache_seconds) == var.vault_cache_seconds
    error_message = "vault_cache_seconds must be a whole number from 0 to 86400."
  }
}

variable "vault_compartment_ocid" {
  type        = string
  default     = ""
  description = "Compartment of the Vault secrets, if not compartment_ocid."
  validation {
    condition     = var.vault_compartment_ocid == "" || can(regex("^ocid1\\.(compartment|tenancy)\\.", var.vault_compartment_ocid))
    error_message = "vault_compartment_ocid must be empty or a compartment OCID."
  }
}

# ── Webhooks ─────────────────────────────────────────────────────────────────
variable "webhook_provider" {
  type        = string
  default     = "auto"
  description = "Which SMS provider posts to the webhook (auto = by content type and fields)."
  validation {
    condition     = contains(["auto", "twilio", "vonage", "generic"], var.webhook_provider)
    error_message = "webhook_provider must be auto, twilio, vonage or generic."
  }
}

variable "webhook_signature" {
  type        = string
  default     = "required"
  description = "required: the function verifies the provider's signature. off only with the authorizer and its token on (plan refuses a route nothing authenticates)."
  validation {
    condition     = contains(["required", "off"], var.webhook_signature)
    error_message = "webhook_signature must be required or off."
  }
}

variable "twilio_auth_token_secret_ocid" {
  type        = string
  default     = ""
  description = "Vault secret holding the Twilio auth token (signature of Twilio webhooks)."
  validation {
    condition     = var.twilio_auth_token_secret_ocid == "" || can(regex("^ocid1\\.vaultsecret\\.", var.twilio_auth_token_secret_ocid))
    error_message = "twilio_auth_token_secret_ocid must be empty or a Vault secret OCID."
  }
}

variable "vonage_signature_secret_ocid" {
  type        = string
  default     = ""
  description = "Vault secret holding the Vonage signature secret."
  validation {
    condition     = var.vonage_signature_secret_ocid == "" || can(regex("^ocid1\\.vaultsecret\\.", var.vonage_signature_secret_ocid))
    error_message = "vonage_signature_secret_ocid must be empty or a Vault secret OCID."
  }
}

variable "webhook_hmac_secret_ocid" {
  type        = string
  default     = ""
  description = "Vault secret holding the HMAC secret of generic JSON webhooks."
  validation {
    condition     = var.webhook_hmac_secret_ocid == "" || can(regex("^ocid1\\.vaultsecret\\.", var.webhook_hmac_secret_ocid))
    error_message = "webhook_hmac_secret_ocid must be empty or a Vault secret OCID."
  }
}

variable "public_hostname" {
  type        = string
  default     = ""
  description = "Custom host name the provider calls (with gateway_certificate_ocid); empty: the gateway's own host name. Signatures are checked against it."
  validation {
    condition     = var.public_hostname == "" || can(regex("^[A-Za-z0-9.-]+$", var.public_hostname))
    error_message = "public_hostname must be empty or a bare host name."
  }
}

variable "gateway_certificate_ocid" {
  type        = string
  default     = ""
  description = "Certificate (OCI Certificates service) for public_hostname."
  validation {
    condition     = var.gateway_certificate_ocid == "" || can(regex("^ocid1\\.(certificate|apicertificate)\\.", var.gateway_certificate_ocid))
    error_message = "gateway_certificate_ocid must be empty or a certificate OCID."
  }
}

# ── API Gateway ──────────────────────────────────────────────────────────────
variable "rate_limit_per_second" {
  type        = number
  default     = 10
  description = "Requests per second each client IP may send to the deployment (rate limiting by CLIENT_IP)."
  validation {
    condition     = var.rate_limit_per_second >= 1 && var.rate_limit_per_second <= 10000
    error_message = "rate_limit_per_second must be between 1 and 10000."
  }
}

variable "gateway_log_level" {
  type        = string
  default     = "INFO"
  description = "Level of the deployment's execution log."
  validation {
    condition     = contains(["INFO", "WARN", "ERROR"], var.gateway_log_level)
    error_message = "gateway_log_level must be INFO, WARN or ERROR."
  }
}

# ── Gateway authorizer (optional) ────────────────────────────────────────────
variable "enable_authorizer" {
  type        = bool
  default     = false
  description = "Put the authorizer function (image target authorizer) in front of the route: callers must present a shared token (auth_token_secret_ocid)."
}

variable "authorizer_image" {
  type        = string
  default     = ""
  description = "The authorizer's image in OCIR (docker build --target authorizer), required with enable_authorizer."
  validation {
    condition     = var.authorizer_image == "" || can(regex("^([a-z0-9-]+\\.ocir\\.io|(ocir|artifacts)\\.[a-z0-9-]+\\.oci\\.[a-z0-9.-]+)/[a-z0-9_-]+/[a-z0-9._/-]+(:[A-Za-z0-9._-]{1,128})?$", var.authorizer_image))
    error_message = "authorizer_image must be empty or an OCI Registry image, as function_image."
  }
}

variable "authorizer_image_digest" {
  type        = string
  default     = ""
  description = "sha256 digest of authorizer_image, to pin exactly what runs (change it together with the tag)."
  validation {
    condition     = var.authorizer_image_digest == "" || can(regex("^sha256:[0-9a-f]{64}$", var.authorizer_image_digest))
    error_message = "authorizer_image_digest must be empty or sha256:<64 hex>."
  }
}

variable "authorizer_memory_mb" {
  type        = number
  default     = 256
  description = "Memory of the authorizer, MB. Measured RSS with its token from Vault: ~100 MB steady, ~115 MB at worst (docs/performance.md, \"The authorizer\"): 128 MB leaves too little headroom."
  validation {
    condition     = contains([128, 256, 512, 1024], var.authorizer_memory_mb)
    error_message = "authorizer_memory_mb must be one of 128, 256, 512, 1024."
  }
}

variable "authorizer_provisioned_concurrency" {
  type        = number
  default     = 0
  description = "Provisioned concurrency of the authorizer (0 = none; a multiple of 40 at 128 MB, 20 at 256 MB, 10 from 512 MB). Its cold start adds to the first webhook's (docs/performance.md)."
  validation {
    condition     = var.authorizer_provisioned_concurrency >= 0 && floor(var.authorizer_provisioned_concurrency) == var.authorizer_provisioned_concurrency
    error_message = "authorizer_provisioned_concurrency must be a whole number, 0 or more."
  }
}

variable "auth_token_secret_ocid" {
  type        = string
  default     = ""
  description = "Vault secret holding the shared token callers must present."
  validation {
    condition     = var.auth_token_secret_ocid == "" || can(regex("^ocid1\\.vaultsecret\\.", var.auth_token_secret_ocid))
    error_message = "auth_token_secret_ocid must be empty or a Vault secret OCID."
  }
}

variable "auth_token_header" {
  type        = string
  default     = "X-Webhook-Token"
  description = "Request header carrying the token (used unless auth_token_query_param is set)."
  validation {
    condition     = can(regex("^[A-Za-z0-9-]{1,64}$", var.auth_token_header))
    error_message = "auth_token_header must be a header name."
  }
}

variable "auth_token_query_param" {
  type        = string
  default     = ""
  description = "Query parameter carrying the token instead, only for providers that can set no header: the token is then in every URL (the provider's console, proxies); the gateway access log is not created then."
  validation {
    condition     = var.auth_token_query_param == "" || can(regex("^[A-Za-z0-9_-]{1,64}$", var.auth_token_query_param))
    error_message = "auth_token_query_param must be empty or a query parameter name."
  }
}

variable "auth_cache_seconds" {
  type        = number
  default     = 300
  description = "How long the gateway caches an admission per token (60-3600)."
  validation {
    condition     = var.auth_cache_seconds >= 60 && var.auth_cache_seconds <= 3600
    error_message = "auth_cache_seconds must be between 60 and 3600."
  }
}

# ── Run journal (Object Storage) ─────────────────────────────────────────────
variable "journal_bucket_name" {
  type        = string
  default     = ""
  description = "Bucket of the run journal (exactly-once across containers); empty: <name_prefix>-runs."
  validation {
    condition     = var.journal_bucket_name == "" || can(regex("^[A-Za-z0-9._-]{1,256}$", var.journal_bucket_name))
    error_message = "journal_bucket_name must be empty or letters, digits, '.', '_' and '-'."
  }
}

variable "journal_retention_days" {
  type        = number
  default     = 30
  description = "Run records are deleted after this many days (a message redelivered later would run again)."
  validation {
    condition     = var.journal_retention_days >= 1 && var.journal_retention_days <= 3650
    error_message = "journal_retention_days must be between 1 and 3650."
  }
}

variable "journal_kms_key_ocid" {
  type        = string
  default     = ""
  description = "Customer-managed Vault key for the bucket; empty: Oracle-managed encryption."
  validation {
    condition     = var.journal_kms_key_ocid == "" || can(regex("^ocid1\\.key\\.", var.journal_kms_key_ocid))
    error_message = "journal_kms_key_ocid must be empty or a Vault key OCID."
  }
}

# ── Observability ────────────────────────────────────────────────────────────
variable "metric_namespace" {
  type        = string
  default     = "sms_incident"
  description = "Custom metric namespace the function posts to and the alarms query."
  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_]*$", var.metric_namespace)) && !can(regex("^(oci_|oracle_)", var.metric_namespace))
    error_message = "metric_namespace: letters, digits and _, starting with a letter, not oci_ or oracle_."
  }
}

variable "log_retention_days" {
  type        = number
  default     = 30
  description = "Retention of the function, invoke and gateway logs (30-180, a multiple of 30)."
  validation {
    condition     = var.log_retention_days >= 30 && var.log_retention_days <= 180 && var.log_retention_days % 30 == 0
    error_message = "log_retention_days must be 30, 60, 90, 120, 150 or 180."
  }
}

variable "apm_domain_ocid" {
  type        = string
  default     = ""
  description = "APM domain for traces (the application's trace_config); with apm_data_upload_endpoint and apm_data_key_secret_ocid the function exports its spans there."
  validation {
    condition     = var.apm_domain_ocid == "" || can(regex("^ocid1\\.apmdomain\\.", var.apm_domain_ocid))
    error_message = "apm_domain_ocid must be empty or an APM domain OCID."
  }
}

variable "apm_data_upload_endpoint" {
  type        = string
  default     = ""
  description = "The APM domain's data upload endpoint, https://<id>.apm-agt.<region>.oci.oraclecloud.com."
  validation {
    condition     = var.apm_data_upload_endpoint == "" || can(regex("^https://", var.apm_data_upload_endpoint))
    error_message = "apm_data_upload_endpoint must be empty or an https URL."
  }
}

variable "apm_data_key_secret_ocid" {
  type        = string
  default     = ""
  description = "Vault secret holding the APM private data key."
  validation {
    condition     = var.apm_data_key_secret_ocid == "" || can(regex("^ocid1\\.vaultsecret\\.", var.apm_data_key_secret_ocid))
    error_message = "apm_data_key_secret_ocid must be empty or a Vault secret OCID."
  }
}

variable "alarm_email" {
  type        = string
  default     = ""
  description = "E-mail subscribed to the alarm topic (confirm the subscription mail); empty: subscribe your pager yourself."
  validation {
    condition     = var.alarm_email == "" || can(regex("^[^@\\s]+@[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email must be empty or an e-mail address."
  }
}
