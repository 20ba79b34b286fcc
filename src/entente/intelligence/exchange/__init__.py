"""Exchange formats of intelligence reports: STIX 2.1 bundles and CSV files.

``rows`` holds what both readers produce (one ``RowInput`` per report to import, with the
values already parsed and the faults found while parsing); ``stix`` writes and reads STIX 2.1;
``tabular`` reads CSV with a column mapping. They are pure: no database writes, no access
checks. ``entente.intelligence.services.exchange`` decides, writes and audits.
"""
