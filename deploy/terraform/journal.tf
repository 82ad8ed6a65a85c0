# The run journal: one private bucket, records deleted after journal_retention_days. Versioning
# stays off: the journal's compare-and-set uses ETags of the current object only.

resource "oci_objectstorage_bucket" "journal" {
  compartment_id = var.compartment_ocid
  namespace      = data.oci_objectstorage_namespace.this.namespace
  name           = local.journal_bucket
  access_type    = "NoPublicAccess"
  versioning     = "Disabled"
  storage_tier   = "Standard"
  kms_key_id     = var.journal_kms_key_ocid != "" ? var.journal_kms_key_ocid : null
  freeform_tags  = var.freeform_tags

  # With a Vault key, Object Storage must be allowed to use it before the bucket is created.
  depends_on = [time_sleep.iam_propagation]
}

resource "oci_objectstorage_object_lifecycle_policy" "journal" {
  namespace = data.oci_objectstorage_namespace.this.namespace
  bucket    = oci_objectstorage_bucket.journal.name

  rules {
    name        = "delete-old-runs"
    action      = "DELETE"
    is_enabled  = true
    target      = "objects"
    time_amount = var.journal_retention_days
    time_unit   = "DAYS"
  }

  # Object Storage applies lifecycle rules as a service principal: it needs its policy, propagated.
  depends_on = [time_sleep.iam_propagation]
}
