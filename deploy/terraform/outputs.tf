output "webhook_url" {
  description = "Point the SMS provider's inbound-message webhook (POST) here."
  value       = "https://${local.public_host}${local.route_prefix}${local.route_path}"
}

output "function_ocid" {
  description = "The webhook function (fn invoke, logs, metrics)."
  value       = oci_functions_function.webhook.id
}

output "authorizer_ocid" {
  description = "The gateway authorizer function, when enabled."
  value       = var.enable_authorizer ? oci_functions_function.authorizer[0].id : null
}

output "application_ocid" {
  description = "The Functions application."
  value       = oci_functions_application.this.id
}

output "topic_ocid" {
  description = "The Notifications topic the alarms publish to: subscribe your pager (PagerDuty, Slack, e-mail)."
  value       = oci_ons_notification_topic.alarms.id
}

output "gateway_hostname" {
  description = "The gateway's own host name (a CNAME target for public_hostname)."
  value       = oci_apigateway_gateway.this.hostname
}

output "log_group_ocid" {
  description = "The log group: function, invoke and gateway logs (Logging search)."
  value       = oci_logging_log_group.this.id
}

output "function_log_ocid" {
  description = "The custom log the function's JSON lines go to."
  value       = oci_logging_log.function.id
}

output "run_journal" {
  description = "The run journal location, for `npm run runs -- list --journal <this>` (or export run_journal=<this>)."
  value       = local.function_config.run_journal
}

output "service_log_ocids" {
  description = "The invoke, gateway-execution and gateway-access logs (Logging search)."
  value       = { for name, log in oci_logging_log.service : name => log.id }
}
