# The public webhook: POST https://<host>/webhooks/sms-to-incident → the function, rate-limited
# per client IP, optionally behind the authorizer function. Logs go to OCI Logging (logging.tf).
# Who may connect at all is decided at the network, by address: the gateway subnet's security list
# (network.tf) or, on a subnet you bring, the NSG below; never by a header a client can send.

resource "oci_apigateway_gateway" "this" {
  compartment_id             = var.compartment_ocid
  display_name               = "${var.name_prefix}-gateway"
  endpoint_type              = "PUBLIC"
  subnet_id                  = local.gateway_subnet_id
  certificate_id             = var.gateway_certificate_ocid != "" ? var.gateway_certificate_ocid : null
  network_security_group_ids = var.create_network ? null : [oci_core_network_security_group.gateway[0].id]
  freeform_tags              = var.freeform_tags
}

locals {
  # The caller's token travels in the query string only where a provider can set no header.
  query_token = var.auth_token_query_param != ""
  # Context variables the gateway sends the authorizer as {"type":"USER_DEFINED","data":{…}}.
  authorizer_parameters = {
    token = local.query_token ? "request.query[${var.auth_token_query_param}]" : "request.headers[${var.auth_token_header}]"
  }
}

resource "oci_apigateway_deployment" "webhook" {
  compartment_id = var.compartment_ocid
  gateway_id     = oci_apigateway_gateway.this.id
  display_name   = "${var.name_prefix}-webhook"
  path_prefix    = local.route_prefix

  specification {
    logging_policies {
      execution_log {
        log_level = var.gateway_log_level
      }
    }

    request_policies {
      rate_limiting {
        rate_in_requests_per_second = var.rate_limit_per_second
        rate_key                    = "CLIENT_IP"
      }

      dynamic "authentication" {
        for_each = var.enable_authorizer ? [1] : []
        content {
          type                        = "CUSTOM_AUTHENTICATION"
          function_id                 = oci_functions_function.authorizer[0].id
          is_anonymous_access_allowed = false
          parameters                  = local.authorizer_parameters
          # An admission is cached per token and address until the authorizer's expiresAt.
          cache_key = keys(local.authorizer_parameters)
          validation_failure_policy {
            type             = "MODIFY_RESPONSE"
            response_code    = "401"
            response_message = "Unauthorized"
          }
        }
      }
    }

    routes {
      path    = local.route_path
      methods = ["POST"]
      backend {
        type        = "ORACLE_FUNCTIONS_BACKEND"
        function_id = oci_functions_function.webhook.id
      }
      request_policies {
        authorization {
          type = var.enable_authorizer ? "AUTHENTICATION_ONLY" : "ANONYMOUS"
        }
      }
    }
  }
  freeform_tags = var.freeform_tags

  lifecycle {
    # The route is public: something must prove each caller. Addresses cannot (the gateway hands the
    # authorizer only what the client sent), so: the provider's signature, or the authorizer's token.
    precondition {
      condition     = var.webhook_signature == "required" || (var.enable_authorizer && var.auth_token_secret_ocid != "")
      error_message = "Nothing would authenticate callers: keep webhook_signature = \"required\", or turn enable_authorizer on with auth_token_secret_ocid."
    }
  }
}
