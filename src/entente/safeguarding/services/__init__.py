"""Services of the safeguarding app (one module per concept), taking the acting user."""
