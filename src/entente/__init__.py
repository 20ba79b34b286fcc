"""Entente."""
