"""The features the screener's learned model reads: n-grams of a message in normal form.

A model learns from whole phrasings, not from a list of words, so its features are every short
run of characters in the normal text (the lexicon's own normal form: simplified, half-width,
lower case, separators gone) and every short run of syllables in its pinyin. The pinyin view is
what makes 沙比, 煞笔 and typed "sha bi" the same features as 傻逼: homophones and pinyin that the
corpus never showed still meet the weights learned for the characters.

A character gram is a run of 1 or 2 characters (ASCII digits folded to 0, so amounts and dates
generalise); a syllable gram is a run of 2 units. A unit is a Chinese character's syllable, a
typed pinyin syllable, or any other character as itself (a Latin run that is not pinyin, such
as "nmsl", letter by letter).

Each feature is one 64-bit integer (``Phonetics.keys``), an exact encoding rather than a
hash, so no two features share a key: every character or unit is a number below 2**21 (code
point + 1, or ``SYLLABLE_BASE`` + syllable id), a gram packs its numbers 21 bits apart (a
trigram fills 63 bits; a shorter gram is a smaller number, since no number is 0), and a
syllable gram sets the top bit. The keys of a whole message come from a few numpy operations
on its code points, with no Python string per feature: that is what lets the model run at
many thousands of messages per second on one core. ``spell`` turns a key back into text for
people reading a model.

Which syllable a character reads as is data (``Phonetics``), built from pypinyin when the model
is trained and shipped inside the model file, so a model always reads characters the way it was
trained to, whatever pypinyin version is installed.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import numpy.typing as npt

CHAR_ORDERS: tuple[int, ...] = (1, 2)
"""Lengths of the character grams a newly trained model reads (a model records its own).
Cross-validated on the corpus with part7 (``bench/screen_grid.py``), 1-2 with syllable pairs
recalled as much at 95 % precision as 1-3 with 42 % fewer features; 2-3 recalled less."""
SYLLABLE_ORDERS: tuple[int, ...] = (2,)
"""Lengths of the syllable grams (single syllables add little beyond single characters, and
syllable trigrams scored no better than pairs in cross-validation, at a fifth more cost)."""
DIGIT_FOLD = str.maketrans("0123456789", "0000000000")
UNIT_BITS = 21
"""Bits per character or unit in a key (code points are below 0x110000 < 2**21)."""
UNICODE_SIZE = 0x110000
SYLLABLE_BASE = UNICODE_SIZE + 1
"""Unit number of syllable id 1 (after every code point + 1)."""
SPELLED_BASE = 0x120000
"""Unit numbers from here to 2**21: typed syllables the table does not list (crc32 of it)."""
SYLLABLE_TAG = np.uint64(1 << 63)
"""Set in the key of a syllable gram (character grams never reach bit 63)."""
FIRST_HAN, LAST_HAN = 0x3400, 0x9FFF
"""The code points the syllable table covers (CJK extension A and the unified ideographs)."""
LATIN_RUN = re.compile(r"[a-z]+")
_SPANS_KEPT = 4096
"""Lengths whose feature spans ``Phonetics.positions`` keeps (a text is rarely longer)."""


SYLLABLES = frozenset(
    [
        "a",
        "ai",
        "an",
        "ang",
        "ao",
        "ba",
        "bai",
        "ban",
        "bang",
        "bao",
        "bei",
        "ben",
        "beng",
        "bi",
        "bian",
        "biao",
        "bie",
        "bin",
        "bing",
        "bo",
        "bu",
        "ca",
        "cai",
        "can",
        "cang",
        "cao",
        "ce",
        "cen",
        "ceng",
        "cha",
        "chai",
        "chan",
        "chang",
        "chao",
        "che",
        "chen",
        "cheng",
        "chi",
        "chong",
        "chou",
        "chu",
        "chua",
        "chuai",
        "chuan",
        "chuang",
        "chui",
        "chun",
        "chuo",
        "ci",
        "cong",
        "cou",
        "cu",
        "cuan",
        "cui",
        "cun",
        "cuo",
        "da",
        "dai",
        "dan",
        "dang",
        "dao",
        "de",
        "den",
        "deng",
        "di",
        "dian",
        "diao",
        "die",
        "ding",
        "diu",
        "dong",
        "dou",
        "du",
        "duan",
        "dui",
        "dun",
        "duo",
        "e",
        "ei",
        "en",
        "eng",
        "er",
        "fa",
        "fan",
        "fang",
        "fei",
        "fen",
        "feng",
        "fo",
        "fou",
        "fu",
        "ga",
        "gai",
        "gan",
        "gang",
        "gao",
        "ge",
        "gei",
        "gen",
        "geng",
        "gong",
        "gou",
        "gu",
        "gua",
        "guai",
        "guan",
        "guang",
        "gui",
        "gun",
        "guo",
        "ha",
        "hai",
        "han",
        "hang",
        "hao",
        "he",
        "hei",
        "hen",
        "heng",
        "hong",
        "hou",
        "hu",
        "hua",
        "huai",
        "huan",
        "huang",
        "hui",
        "hun",
        "huo",
        "ji",
        "jia",
        "jian",
        "jiang",
        "jiao",
        "jie",
        "jin",
        "jing",
        "jiong",
        "jiu",
        "ju",
        "juan",
        "jue",
        "jun",
        "ka",
        "kai",
        "kan",
        "kang",
        "kao",
        "ke",
        "ken",
        "keng",
        "kong",
        "kou",
        "ku",
        "kua",
        "kuai",
        "kuan",
        "kuang",
        "kui",
        "kun",
        "kuo",
        "la",
        "lai",
        "lan",
        "lang",
        "lao",
        "le",
        "lei",
        "leng",
        "li",
        "lia",
        "lian",
        "liang",
        "liao",
        "lie",
        "lin",
        "ling",
        "liu",
        "lo",
        "long",
        "lou",
        "lu",
        "luan",
        "lun",
        "luo",
        "lv",
        "lve",
        "ma",
        "mai",
        "man",
        "mang",
        "mao",
        "me",
        "mei",
        "men",
        "meng",
        "mi",
        "mian",
        "miao",
        "mie",
        "min",
        "ming",
        "miu",
        "mo",
        "mou",
        "mu",
        "na",
        "nai",
        "nan",
        "nang",
        "nao",
        "ne",
        "nei",
        "nen",
        "neng",
        "ni",
        "nian",
        "niang",
        "niao",
        "nie",
        "nin",
        "ning",
        "niu",
        "nong",
        "nou",
        "nu",
        "nuan",
        "nun",
        "nuo",
        "nv",
        "nve",
        "o",
        "ou",
        "pa",
        "pai",
        "pan",
        "pang",
        "pao",
        "pei",
        "pen",
        "peng",
        "pi",
        "pian",
        "piao",
        "pie",
        "pin",
        "ping",
        "po",
        "pou",
        "pu",
        "qi",
        "qia",
        "qian",
        "qiang",
        "qiao",
        "qie",
        "qin",
        "qing",
        "qiong",
        "qiu",
        "qu",
        "quan",
        "que",
        "qun",
        "ran",
        "rang",
        "rao",
        "re",
        "ren",
        "reng",
        "ri",
        "rong",
        "rou",
        "ru",
        "rua",
        "ruan",
        "rui",
        "run",
        "ruo",
        "sa",
        "sai",
        "san",
        "sang",
        "sao",
        "se",
        "sen",
        "seng",
        "sha",
        "shai",
        "shan",
        "shang",
        "shao",
        "she",
        "shen",
        "sheng",
        "shi",
        "shou",
        "shu",
        "shua",
        "shuai",
        "shuan",
        "shuang",
        "shui",
        "shun",
        "shuo",
        "si",
        "song",
        "sou",
        "su",
        "suan",
        "sui",
        "sun",
        "suo",
        "ta",
        "tai",
        "tan",
        "tang",
        "tao",
        "te",
        "teng",
        "ti",
        "tian",
        "tiao",
        "tie",
        "ting",
        "tong",
        "tou",
        "tu",
        "tuan",
        "tui",
        "tun",
        "tuo",
        "wa",
        "wai",
        "wan",
        "wang",
        "wei",
        "wen",
        "weng",
        "wo",
        "wu",
        "xi",
        "xia",
        "xian",
        "xiang",
        "xiao",
        "xie",
        "xin",
        "xing",
        "xiong",
        "xiu",
        "xu",
        "xuan",
        "xue",
        "xun",
        "ya",
        "yan",
        "yang",
        "yao",
        "ye",
        "yi",
        "yin",
        "ying",
        "yo",
        "yong",
        "you",
        "yu",
        "yuan",
        "yue",
        "yun",
        "za",
        "zai",
        "zan",
        "zang",
        "zao",
        "ze",
        "zei",
        "zen",
        "zeng",
        "zha",
        "zhai",
        "zhan",
        "zhang",
        "zhao",
        "zhe",
        "zhen",
        "zheng",
        "zhi",
        "zhong",
        "zhou",
        "zhu",
        "zhua",
        "zhuai",
        "zhuan",
        "zhuang",
        "zhui",
        "zhun",
        "zhuo",
        "zi",
        "zong",
        "zou",
        "zu",
        "zuan",
        "zui",
        "zun",
        "zuo",
    ]
)
"""Toneless pinyin syllables that typed Latin letters are read as (pypinyin's readings of the
common ideographs, less the bare consonants m, n, hm that would let any run of initials such as
"nmsl" pass as pinyin)."""
LONGEST_SYLLABLE = max(map(len, SYLLABLES))


@lru_cache(maxsize=4096)
def split_pinyin(run: str) -> tuple[str, ...] | None:
    """A Latin run as pinyin syllables (fewest syllables wins), or None if it is not pinyin."""
    best: list[tuple[str, ...] | None] = [None] * (len(run) + 1)
    best[0] = ()
    for end in range(1, len(run) + 1):
        for start in range(max(0, end - LONGEST_SYLLABLE), end):
            head = best[start]
            if head is not None and run[start:end] in SYLLABLES:
                candidate = (*head, run[start:end])
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    return best[len(run)]


Keys = npt.NDArray[np.uint64]
Positions = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Phonetics:
    """How characters read in the syllable view: ``table[cp - FIRST_HAN]`` is the syllable id
    of code point ``cp`` (0: no reading), ``names[id - 1]`` the syllable."""

    names: tuple[str, ...]
    table: npt.NDArray[np.uint16]
    char_orders: tuple[int, ...] = CHAR_ORDERS
    syllable_orders: tuple[int, ...] = SYLLABLE_ORDERS
    _numbers: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    _lookup: list[npt.NDArray[np.uint64]] = field(default_factory=list, repr=False, compare=False)
    _spans: dict[int, tuple[Positions, Positions]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if len(self.table) != LAST_HAN - FIRST_HAN + 1:
            raise ValueError("phonetics: the syllable table does not cover the ideographs")
        if int(self.table.max(initial=0)) > len(self.names):
            raise ValueError("phonetics: the syllable table names a syllable it does not list")
        if (
            max(self.char_orders) * UNIT_BITS > 63
            or max(self.syllable_orders, default=0) * UNIT_BITS > 63
        ):
            raise ValueError("phonetics: a gram longer than three units does not fit a key")
        self._numbers.update({name: SYLLABLE_BASE + i for i, name in enumerate(self.names)})

    @classmethod
    def from_pypinyin(cls) -> Phonetics:
        """The table as pypinyin reads each character alone (what training ships)."""
        from faircollect.domain.compliance.screener.phonetic import live_syllable

        readings = [live_syllable(chr(cp)) for cp in range(FIRST_HAN, LAST_HAN + 1)]
        names = tuple(sorted({r for r in readings if r}))
        ids = {name: index + 1 for index, name in enumerate(names)}
        return cls(names, np.array([ids.get(r, 0) for r in readings], dtype=np.uint16))

    def _tables(self) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
        """Per code point, its number as a character (digits folded) and as a unit; built
        on first use (two arrays of 0x110000 numbers)."""
        if not self._lookup:
            chars = np.arange(1, UNICODE_SIZE + 1, dtype=np.uint64)
            chars[ord("0") : ord("9") + 1] = ord("0") + 1
            chars[0] = 0  # the separator of ``batch_keys``
            units = chars.copy()
            han = units[FIRST_HAN : LAST_HAN + 1]
            ids = self.table.astype(np.uint64)
            units[FIRST_HAN : LAST_HAN + 1] = np.where(ids > 0, SYLLABLE_BASE - 1 + ids, han)
            self._lookup.extend([chars, units])
        return self._lookup[0], self._lookup[1]

    def unit_number(self, unit: str) -> int:
        """The number of a unit spelled as text (a typed syllable, a letter, a character)."""
        found = self._numbers.get(unit)
        if found is None:
            if len(unit) == 1:
                found = int(self._tables()[1][ord(unit)])
            else:  # a typed syllable no character reads as
                span = (1 << UNIT_BITS) - SPELLED_BASE
                found = SPELLED_BASE + zlib.crc32(unit.encode()) % span
            self._numbers[unit] = found
        return found

    def units(self, normal: str) -> tuple[Keys, Positions, Positions]:
        """The syllable view of one normal text: each unit's number and its normal
        ``[start, end)``. A character is one unit; a Latin run is its pinyin syllables, or its
        letters one by one when it does not spell pinyin ("nmsl")."""
        _, units_of = self._tables()
        points = np.frombuffer(normal.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        numbers = units_of[points]
        runs = list(LATIN_RUN.finditer(normal))
        if not runs:
            starts = np.arange(len(normal), dtype=np.int64)
            return numbers, starts, starts + 1
        pieces: list[Keys] = []
        bounds: list[Positions] = []
        at = 0
        for run in runs:
            pieces.append(numbers[at : run.start()])
            bounds.append(np.arange(at, run.start(), dtype=np.int64))
            syllables = split_pinyin(run.group()) or tuple(run.group())
            pieces.append(np.array([self.unit_number(s) for s in syllables], dtype=np.uint64))
            lengths = np.array([len(s) for s in syllables], dtype=np.int64)
            bounds.append(run.start() + np.cumsum(lengths) - lengths)
            at = run.end()
        pieces.append(numbers[at:])
        bounds.append(np.arange(at, len(normal), dtype=np.int64))
        starts = np.concatenate(bounds)
        ends = np.append(starts[1:], len(normal))
        return np.concatenate(pieces), starts, ends

    def keys(self, normal: str) -> Keys:
        """Every feature of a normal text as its key, as often as it occurs: the character
        grams of each order in ``char_orders``, then the syllable grams, each by position
        (the order ``positions`` lists their spans in)."""
        return self.batch_keys([normal])[0]

    def batch_keys(self, normals: Sequence[str]) -> tuple[Keys, npt.NDArray[np.int64]]:
        """The keys of many normal texts at once, and the index of the text each came from.

        The texts are joined by a separator numbered 0 (no character is: a normal text holds
        no control characters) and their grams computed in one pass; a gram that would span
        two texts is dropped. Per text, the keys come in the order ``keys`` gives them."""
        chars_of, units_of = self._tables()
        joined = "\0".join(normals)
        points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        chars = chars_of[points]
        units = units_of[points]
        if LATIN_RUN.search(joined) is not None:
            units = self._with_typed_pinyin(joined, units)
        parts: list[Keys] = []
        owners: list[npt.NDArray[np.int64]] = []
        for numbers, orders, tag in (
            (chars, self.char_orders, np.uint64(0)),
            (units, self.syllable_orders, SYLLABLE_TAG),
        ):
            owner = np.cumsum(numbers == 0)
            for order in orders:
                packed = _packed(numbers, order)
                count = len(packed)
                inside = (numbers[:count] != 0) & (owner[:count] == owner[order - 1 :])
                parts.append(packed[inside] | tag)
                owners.append(owner[:count][inside])
        return np.concatenate(parts), np.concatenate(owners)

    def _with_typed_pinyin(self, joined: str, units: Keys) -> Keys:
        """The joined texts' unit numbers (``units``, changed in place) with each Latin run
        read as ``units`` reads it: its pinyin syllables where the letters spell them, the
        first positions of the run taking the syllables' numbers and the rest dropped."""
        keep: npt.NDArray[np.bool_] | None = None
        for run in LATIN_RUN.finditer(joined):
            letters = run.group()
            syllables = split_pinyin(letters) or tuple(letters)
            start, count = run.start(), len(syllables)
            units[start : start + count] = [self.unit_number(s) for s in syllables]
            if count < len(letters):
                if keep is None:
                    keep = np.ones(len(units), dtype=bool)
                keep[start + count : run.end()] = False
        return units if keep is None else units[keep]

    def positions(self, normal: str) -> tuple[Positions, Positions]:
        """The normal ``[start, end)`` of each feature, in the order ``keys`` lists them
        (for evidence: computed only for a message the model flags). Without Latin letters
        every unit is one character, so the spans depend on the length alone and are kept
        per length (read-only arrays, shared)."""
        if LATIN_RUN.search(normal) is not None:
            return self._positions(normal)
        length = len(normal)
        found = self._spans.get(length)
        if found is None:
            found = self._positions(normal)
            for array in found:
                array.flags.writeable = False
            if len(self._spans) < _SPANS_KEPT:
                self._spans[length] = found
        return found

    def _positions(self, normal: str) -> tuple[Positions, Positions]:
        length = len(normal)
        starts = [np.arange(length - n + 1, dtype=np.int64) for n in self.char_orders]
        ends = [np.arange(n, length + 1, dtype=np.int64) for n in self.char_orders]
        _, unit_starts, unit_ends = self.units(normal)
        count = len(unit_starts)
        starts += [unit_starts[: max(count - n + 1, 0)] for n in self.syllable_orders]
        ends += [unit_ends[n - 1 :] for n in self.syllable_orders]
        return np.concatenate(starts), np.concatenate(ends)

    def spell(self, key: int) -> str:
        """A key as text, for people: "傻逼" for a character gram, "_sha_bi" for a syllable gram
        (a typed syllable no character reads as is spelled "?")."""
        syllable = bool(key >> 63)
        key &= (1 << 63) - 1
        numbers = []
        while key:
            numbers.append(key & ((1 << UNIT_BITS) - 1))
            key >>= UNIT_BITS
        numbers.reverse()
        if not syllable:
            return "".join(chr(n - 1) for n in numbers)
        names = {number: name for name, number in self._numbers.items()}
        return "".join(
            "_" + (names.get(n) or (chr(n - 1) if n <= UNICODE_SIZE else "?")) for n in numbers
        )


def _packed(numbers: npt.NDArray[np.uint64], order: int) -> Keys:
    """The keys of the runs of ``order`` consecutive numbers (none if there are fewer)."""
    count = len(numbers) - order + 1
    if count <= 0:
        return np.zeros(0, dtype=np.uint64)
    key = numbers[:count].copy()
    for shift in range(1, order):
        key <<= np.uint64(UNIT_BITS)
        key |= numbers[shift : shift + count]
    return key
