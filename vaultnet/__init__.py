"""vaultnet: a personal relationship manager over a vault of Markdown notes.

The pipeline, front to back (see DESIGN.md in the shared notes):

    files --load--> Person records --derive--> schedule, ledger, matches --render--> terminal, notes, .ics
          <-edit--  (noteedit + atomic: the only code that changes a user's note)

Modules are small and named after what they hold; the Click layer (``cli``) only
parses arguments, calls the library and prints.
"""

__version__ = "0.1.0"
