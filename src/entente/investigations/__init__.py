"""Joint investigations: entities and links, the link chart and its analysis, record linkage
across the two countries, and the investigation files with their actions and court outcomes."""
