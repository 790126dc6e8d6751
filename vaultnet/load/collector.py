"""Python's cycle collector, paused while a command builds many objects that hold no cycles.

Loading a vault or rendering its outputs makes hundreds of thousands of records, tuples,
dates and strings, all alive until the command ends and none of them in a reference
cycle. Each time enough of them pile up, the collector walks them (now and then the whole
heap) and finds nothing, at a cost that grows with the vault. Reference counting still
frees everything as usual while the collector is paused.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def collector_paused(keep: bool = False) -> Iterator[None]:
    """The collector off for the block, then as it was. With ``keep``, what the block made
    is moved out of the collector's sight (``gc.freeze``) before it is turned on again:
    objects that live as long as the command would otherwise be walked by its next pass."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if keep:
                gc.freeze()
            gc.enable()
