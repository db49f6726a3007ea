"""Which client method covers each operation of the OpenAPI document (``openapi.json`` in this
package's source tree is the document it was written against). A test fails when the live
document has an operation listed in neither map, so a new route cannot go unnoticed."""

from __future__ import annotations

COVERED: dict[str, str] = {
    "healthz_healthz_get": "healthz",
    "readyz_readyz_get": "readyz",
    "create_principal_v1_admin_principals_post": "create_principal",
    "list_principals_v1_admin_principals_get": "iter_principals",
    "revoke_principal_v1_admin_principals__principal_id__delete": "revoke_principal",
    "list_endpoints_v1_admin_webhook_endpoints_get": "iter_all_webhook_endpoints",
    "get_endpoint_v1_admin_webhook_endpoints__endpoint_id__get": "admin_get_webhook_endpoint",
    "delete_endpoint_v1_admin_webhook_endpoints__endpoint_id__delete": (
        "admin_delete_webhook_endpoint"
    ),
    "disable_endpoint_v1_admin_webhook_endpoints__endpoint_id__disable_post": (
        "admin_disable_webhook_endpoint"
    ),
    "put_ip_right_v1_ip_rights__kind___number__put": "put_ip_right",
    "get_ip_right_v1_ip_rights__kind___number__get": "get_ip_right",
    "ip_right_history_v1_ip_rights__kind___number__history_get": "ip_right_history",
    "get_annuities_v1_ip_rights__kind___number__annuities_get": "annuities",
    "import_ip_rights_v1_ip_rights_import_post": "import_ip_rights",
    "file_pledge_v1_pledges_post": "file_pledge",
    "search_pledges_v1_pledges_get": "iter_pledges",
    "get_pledge_v1_pledges__pledge_id__get": "get_pledge",
    "pledge_history_v1_pledges__pledge_id__history_get": "pledge_history",
    "amend_v1_pledges__pledge_id__amendments_post": "amend_pledge",
    "release_v1_pledges__pledge_id__release_post": "release",
    "prepay_v1_pledges__pledge_id__annuity_prepayments_post": "prepay_annuities",
    "declare_default_v1_pledges__pledge_id__default_post": "declare_default",
    "claim_v1_pledges__pledge_id__compensation_claims_post": "claim_compensation",
    "advance_v1_compensation_claims__claim_id__advance_post": "advance_claim",
    "get_claim_v1_compensation_claims__claim_id__get": "get_claim",
    "open_disposal_v1_disposals_post": "open_disposal",
    "search_disposals_v1_disposals_get": "iter_disposals",
    "search_claims_v1_compensation_claims_get": "iter_claims",
    "get_disposal_v1_disposals__disposal_id__get": "get_disposal",
    "disposal_history_v1_disposals__disposal_id__history_get": "disposal_history",
    "conclude_v1_disposals__disposal_id__conclusion_post": "conclude_disposal",
    "settle_v1_disposals__disposal_id__settlement_post": "settle",
    "create_listing_v1_listings_post": "create_listing",
    "search_listings_v1_listings_get": "iter_listings",
    "get_listing_v1_listings__listing_id__get": "get_listing",
    "listing_history_v1_listings__listing_id__history_get": "listing_history",
    "register_intention_v1_listings__listing_id__intentions_post": "register_intention",
    "sell_v1_listings__listing_id__sale_post": "sell",
    "buy_back_v1_listings__listing_id__buyback_post": "buy_back",
    "withdraw_v1_listings__listing_id__withdrawal_post": "withdraw",
    "quarterly_v1_reports_quarterly_get": "quarterly_report",
    "submit_npl_v1_banks__institution_id__npl__period__put": "submit_npl",
    "audit_log_v1_audit_log_get": "iter_audit_log",
    "checkpoint_v1_audit_checkpoint_get": "checkpoint",
    "public_key_v1_audit_public_key_get": "public_key",
    "inclusion_v1_audit_proofs_inclusion_get": "inclusion_proof",
    "consistency_v1_audit_proofs_consistency_get": "consistency_proof",
    "search_v1_search_get": "search",
    "list_endpoints_v1_webhook_endpoints_get": "iter_webhook_endpoints",
    "create_endpoint_v1_webhook_endpoints_post": "create_webhook_endpoint",
    "get_endpoint_v1_webhook_endpoints__endpoint_id__get": "get_webhook_endpoint",
    "delete_endpoint_v1_webhook_endpoints__endpoint_id__delete": "delete_webhook_endpoint",
    "rotate_secret_v1_webhook_endpoints__endpoint_id__rotate_secret_post": (
        "rotate_webhook_secret"
    ),
    "enable_v1_webhook_endpoints__endpoint_id__enable_post": "enable_webhook_endpoint",
    "replay_v1_webhook_endpoints__endpoint_id__replay_post": "replay_webhook_endpoint",
    "deliveries_v1_webhook_endpoints__endpoint_id__deliveries_get": "iter_deliveries",
    "feed_v1_feed_get": "feed",
    "get_clock_v1__clock_get": "get_clock",
    "move_clock_v1__clock_post": "move_clock",
}

# operationId -> why the client has no method for it.
NOT_COVERED: dict[str, str] = {}
