"""Renderings several front doors share (the CLI's ``--json`` and the API give the same
JSON for the same thing): rates and amounts as text, one loan as a document."""
