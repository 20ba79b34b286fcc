"""Services of the investigations app (one module per concept), taking the acting user."""
