"""Services of the programme app (one module per concept), taking the acting user."""
