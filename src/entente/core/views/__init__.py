"""Views of the core app, one module per area. Views parse, call services, render."""
