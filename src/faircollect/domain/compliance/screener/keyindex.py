"""Which weight row a feature key has: an open-addressing hash table over the vocabulary.

The model looks up every feature occurrence of a batch of messages (tens of thousands per
batch). A binary search (``searchsorted``) over the sorted vocabulary costs about fifteen
dependent, cache-missing comparisons per key; a hash table at most a quarter full finds most
keys at the first slot it looks at, so a batch's lookups are a few vectorised gathers. The
table is exact: it stores the keys themselves and compares them, so it answers exactly what
the binary search answered (row ``i + 1`` for ``vocabulary[i]``, 0 for any other key).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from faircollect.domain.compliance.screener.features import Keys

EMPTY = np.uint64(2**64 - 1)
"""Marks a free slot (no feature has this key: it is also the model's ``NO_KEY``)."""
MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
"""Fibonacci hashing: the key times 2**64 / golden ratio, top bits taken as the slot."""
SPARSENESS = 4
"""Slots per key at least: few collisions, so most lookups end at the first slot."""

Slots = npt.NDArray[np.int64]


class KeyIndex:
    """Row of each key of an ascending vocabulary (``rows``); built once per model."""

    def __init__(self, vocabulary: Keys) -> None:
        keys = np.asarray(vocabulary, dtype=np.uint64)
        bits = max(int(len(keys) * SPARSENESS).bit_length(), 4)
        self._shift = np.uint64(64 - bits)
        self._mask = np.int64((1 << bits) - 1)
        self._keys = np.full(1 << bits, EMPTY, dtype=np.uint64)
        self._rows = np.zeros(1 << bits, dtype=np.int64)
        self._insert(keys)

    def _slots(self, keys: Keys) -> Slots:
        with np.errstate(over="ignore"):
            return ((keys * MULTIPLIER) >> self._shift).astype(np.int64)

    def _insert(self, keys: Keys) -> None:
        """Linear probing, all keys at once: in each round every key still waiting tries
        its slot, the first key (lowest row) of those wanting a free slot takes it, the
        others move one slot on."""
        slots = self._slots(keys)
        waiting = np.arange(len(keys))
        while len(waiting):
            wanted = slots[waiting]
            free = self._keys[wanted] == EMPTY
            taken, first = np.unique(wanted[free], return_index=True)
            placed = waiting[free][first]
            self._keys[taken] = keys[placed]
            self._rows[taken] = placed + 1
            done = np.zeros(len(keys), dtype=bool)
            done[placed] = True
            waiting = waiting[~done[waiting]]
            slots[waiting] = (slots[waiting] + 1) & self._mask

    def rows(self, keys: Keys) -> npt.NDArray[np.int64]:
        """The weight row of each key (0 for a key outside the vocabulary)."""
        slots = self._slots(keys)
        found = self._keys[slots]
        rows = np.where(found == keys, self._rows[slots], 0)
        probing = np.flatnonzero((found != keys) & (found != EMPTY))
        while len(probing):  # a collision: look at the next slot until the key or a gap
            slots[probing] = (slots[probing] + 1) & self._mask
            found = self._keys[slots[probing]]
            hit = found == keys[probing]
            rows[probing[hit]] = self._rows[slots[probing[hit]]]
            probing = probing[~hit & (found != EMPTY)]
        return rows
