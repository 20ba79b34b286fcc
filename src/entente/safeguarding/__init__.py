"""Safeguarding and humanitarian care: people (minimised, special categories encrypted),
consent, referrals, protected accommodation, day-centre services, pathways, campaigns,
retention. Nothing here flows into intelligence or investigations."""
