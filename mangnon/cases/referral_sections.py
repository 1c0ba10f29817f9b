"""Case-page sections for referrals (registered with cases.sections)."""
