# Created only with create_network: a VCN whose public subnet holds the gateway (443 from
# gateway_ingress_cidrs) and whose private subnet holds the functions (egress through NAT to
# B2C Service and the provider, through the service gateway to Vault, Logging, Monitoring,
# Object Storage and OCIR).

data "oci_core_services" "all" {
  filter {
    name   = "name"
    values = ["All .* Services In Oracle Services Network"]
    regex  = true
  }
}

resource "oci_core_vcn" "this" {
  count          = var.create_network ? 1 : 0
  compartment_id = var.compartment_ocid
  cidr_blocks    = [var.vcn_cidr]
  display_name   = "${var.name_prefix}-vcn"
  dns_label      = "smsincident"
  freeform_tags  = var.freeform_tags
}

resource "oci_core_internet_gateway" "this" {
  count          = var.create_network ? 1 : 0
  compartment_id = var.compartment_ocid
  vcn_id         = oci_core_vcn.this[0].id
  display_name   = "${var.name_prefix}-igw"
  freeform_tags  = var.freeform_tags
}

resource "oci_core_nat_gateway" "this" {
  count          = var.create_network ? 1 : 0
  compartment_id = var.compartment_ocid
  vcn_id         = oci_core_vcn.this[0].id
  display_name   = "${var.name_prefix}-nat"
  freeform_tags  = var.freeform_tags
}

resource "oci_core_service_gateway" "this" {
  count          = var.create_network ? 1 : 0
  compartment_id = var.compartment_ocid
  vcn_id         = oci_core_vcn.this[0].id
  display_name   = "${var.name_prefix}-sgw"
  services {
    service_id = data.oci_core_services.all.services[0].id
  }
  freeform_tags = var.freeform_tags
}

resource "oci_core_route_table" "public" {
  count          = var.create_network ? 1 : 0
  compartment_id = var.compartment_ocid
  vcn_id         = oci_core_vcn.this[0].id
  display_name   = "${var.name_prefix}-public"
  route_rules {
    destination       = "0.0.0.0/0"
    destination_type  = "CIDR_BLOCK"
    network_entity_id = oci_core_internet_gateway.this[0].id
  }
  freeform_tags = var.freeform_tags
}

resource "oci_core_route_table" "private" {
  count          = var.create_network ? 1 : 0
  compartment_id = var.compartment_ocid
  vcn_id         = oci_core_vcn.this[0].id
  display_name   = "${var.name_prefix}-private"
  route_rules {
    destination       = "0.0.0.0/0"
    destination_type  = "CIDR_BLOCK"
    network_entity_id = oci_core_nat_gateway.this[0].id
  }
  route_rules {
    destination       = data.oci_core_services.all.services[0].cidr_block
    destination_type  = "SERVICE_CIDR_BLOCK"
    network_entity_id = oci_core_service_gateway.this[0].id
  }
  freeform_tags = var.freeform_tags
}

resource "oci_core_security_list" "gateway" {
  count          = var.create_network ? 1 : 0
  compartment_id = var.compartment_ocid
  vcn_id         = oci_core_vcn.this[0].id
  display_name   = "${var.name_prefix}-gateway"
  dynamic "ingress_security_rules" {
    for_each = var.gateway_ingress_cidrs
    content {
      protocol = "6"
      source   = ingress_security_rules.value
      tcp_options {
        min = 443
        max = 443
      }
    }
  }
  # The gateway calls the functions service endpoint; nothing else.
  egress_security_rules {
    protocol    = "6"
    destination = "0.0.0.0/0"
    tcp_options {
      min = 443
      max = 443
    }
  }
  freeform_tags = var.freeform_tags
}

resource "oci_core_security_list" "functions" {
  count          = var.create_network ? 1 : 0
  compartment_id = var.compartment_ocid
  vcn_id         = oci_core_vcn.this[0].id
  display_name   = "${var.name_prefix}-functions"
  # No ingress: invocations arrive through the Functions service, not the subnet.
  egress_security_rules {
    protocol    = "6"
    destination = "0.0.0.0/0"
    tcp_options {
      min = 443
      max = 443
    }
  }
  egress_security_rules {
    protocol         = "6"
    destination      = data.oci_core_services.all.services[0].cidr_block
    destination_type = "SERVICE_CIDR_BLOCK"
  }
  freeform_tags = var.freeform_tags
}

resource "oci_core_subnet" "gateway" {
  count                      = var.create_network ? 1 : 0
  compartment_id             = var.compartment_ocid
  vcn_id                     = oci_core_vcn.this[0].id
  cidr_block                 = cidrsubnet(var.vcn_cidr, 8, 0)
  display_name               = "${var.name_prefix}-gateway"
  dns_label                  = "gateway"
  prohibit_public_ip_on_vnic = false
  route_table_id             = oci_core_route_table.public[0].id
  security_list_ids          = [oci_core_security_list.gateway[0].id]
  freeform_tags              = var.freeform_tags
}

resource "oci_core_subnet" "functions" {
  count                      = var.create_network ? 1 : 0
  compartment_id             = var.compartment_ocid
  vcn_id                     = oci_core_vcn.this[0].id
  cidr_block                 = cidrsubnet(var.vcn_cidr, 8, 1)
  display_name               = "${var.name_prefix}-functions"
  dns_label                  = "functions"
  prohibit_public_ip_on_vnic = true
  route_table_id             = oci_core_route_table.private[0].id
  security_list_ids          = [oci_core_security_list.functions[0].id]
  freeform_tags              = var.freeform_tags
}

# An existing functions subnet may live in another compartment: the Functions service needs to use
# the network there.
data "oci_core_subnet" "existing_functions" {
  count     = var.create_network ? 0 : 1
  subnet_id = var.existing_functions_subnet_ocid

  lifecycle {
    precondition {
      condition     = var.existing_gateway_subnet_ocid != "" && var.existing_functions_subnet_ocid != ""
      error_message = "create_network is off: set existing_gateway_subnet_ocid and existing_functions_subnet_ocid."
    }
  }
}

# With a gateway subnet you bring, its security lists are yours: the gateway gets an NSG that admits
# 443 from gateway_ingress_cidrs only. An NSG adds to what the subnet's security lists allow, so
# those must not open 443 wider (docs/deploy.md, "Who may call").
data "oci_core_subnet" "existing_gateway" {
  count     = var.create_network ? 0 : 1
  subnet_id = var.existing_gateway_subnet_ocid
}

resource "oci_core_network_security_group" "gateway" {
  count          = var.create_network ? 0 : 1
  compartment_id = var.compartment_ocid
  vcn_id         = data.oci_core_subnet.existing_gateway[0].vcn_id
  display_name   = "${var.name_prefix}-gateway"
  freeform_tags  = var.freeform_tags
}

resource "oci_core_network_security_group_security_rule" "gateway_ingress" {
  for_each                  = var.create_network ? toset([]) : toset(var.gateway_ingress_cidrs)
  network_security_group_id = oci_core_network_security_group.gateway[0].id
  direction                 = "INGRESS"
  protocol                  = "6"
  source                    = each.value
  source_type               = "CIDR_BLOCK"
  tcp_options {
    destination_port_range {
      min = 443
      max = 443
    }
  }
}

resource "oci_core_network_security_group_security_rule" "gateway_egress" {
  count                     = var.create_network ? 0 : 1
  network_security_group_id = oci_core_network_security_group.gateway[0].id
  direction                 = "EGRESS"
  protocol                  = "6"
  destination               = "0.0.0.0/0"
  destination_type          = "CIDR_BLOCK"
  tcp_options {
    destination_port_range {
      min = 443
      max = 443
    }
  }
}

locals {
  network_compartment_id = var.create_network ? var.compartment_ocid : data.oci_core_subnet.existing_functions[0].compartment_id
}
