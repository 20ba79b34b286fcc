"""core: countries, agencies, users and roles, markings, the access policy, the audit trail."""
