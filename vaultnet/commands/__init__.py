"""The Click commands, one module per area; each is imported only when it runs."""
