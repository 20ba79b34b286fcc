"""Control-room pages, one module per concept (see urls.py)."""
