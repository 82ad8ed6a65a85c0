# Terraform and the OCI provider, pinned. Run `terraform init` once and commit the
# .terraform.lock.hcl it writes (it records the provider's checksums for every later init).
terraform {
  required_version = ">= 1.5.0"
  required_providers {
    oci = {
      source  = "oracle/oci"
      version = "8.28.0"
    }
    # time_sleep: the wait for IAM propagation before what needs the new policies (iam.tf).
    time = {
      source  = "hashicorp/time"
      version = "0.13.1"
    }
  }
}

# Resources in the deployment region. Auth: Resource Manager supplies it; locally the
# provider reads ~/.oci/config (DEFAULT profile) or the OCI_* environment variables.
provider "oci" {
  region = var.region
}

# IAM (dynamic groups, policies) must be written in the tenancy's home region.
provider "oci" {
  alias  = "home"
  region = local.home_region
}

data "oci_identity_region_subscriptions" "home" {
  tenancy_id = var.tenancy_ocid
  filter {
    name   = "is_home_region"
    values = [true]
  }
}

locals {
  home_region = data.oci_identity_region_subscriptions.home.region_subscriptions[0].region_name
}
