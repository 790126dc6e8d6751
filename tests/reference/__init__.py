"""Reference implementations: the straightforward versions that vaultnet's faster code is
checked against, kept here because they exist only for the tests.

Each is written the plain way (a character at a time, a split and a join, a loop over
every line), as the code read before it was made fast; a test compares the two on
hostile text and fails when the fast code answers differently.
"""
