"""Compliance: rule packs, the contact gate and the screener for collection language."""
