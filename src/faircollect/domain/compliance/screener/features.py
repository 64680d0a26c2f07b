"""The features the screener's learned model reads: n-grams of a message in normal form.

A model learns from whole phrasings, not from a list of words, so its features are every short
run of characters in the normal text (the lexicon's own normal form: simplified, half-width,
lower case, separators gone) and every short run of syllables in its pinyin. The pinyin view is
what makes 沙比, 煞笔 and typed "sha bi" the same features as 傻逼: homophones and pinyin that the
corpus never showed still meet the weights learned for the characters.

A feature is a short string: a character gram is its 1 to 3 characters (ASCII digits folded to
0, so amounts and dates generalise); a syllable gram is its 2 units joined and prefixed by
``_`` (which the normal form never holds, so the views never collide): ``_sha_bi``. A unit is a
Chinese character's syllable, a typed pinyin syllable, or any other character as itself (a
Latin run that is not pinyin, such as "nmsl", letter by letter). Strings sliced from one joined
string are the cheapest features Python can make, which is what lets the model run at thousands
of messages per second on one core.

Which syllable a character reads as is data (``Phonetics``), built from pypinyin when the model
is trained and shipped inside the model file, so a model always reads characters the way it was
trained to, whatever pypinyin version is installed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

CHAR_ORDERS = (1, 2, 3)
"""Lengths of the character grams."""
SYLLABLE_ORDERS = (2,)
"""Lengths of the syllable grams (single syllables add little beyond single characters, and
syllable trigrams scored no better than pairs in cross-validation, at a fifth more cost)."""
GRAM_MARK = "_"
DIGIT_FOLD = str.maketrans("0123456789", "0000000000")
FIRST_HAN, LAST_HAN = 0x3400, 0x9FFF
"""The code points the syllable table covers (CJK extension A and the unified ideographs)."""
LATIN_RUN = re.compile(r"[a-z]+")


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


class Token(NamedTuple):
    """One unit of the syllable view and the normal ``[start, end)`` it comes from."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Phonetics:
    """How characters read in the syllable view: ``table[cp - FIRST_HAN]`` is the syllable id
    of code point ``cp`` (0: no reading), ``names[id - 1]`` the syllable."""

    names: tuple[str, ...]
    table: npt.NDArray[np.uint16]
    char_orders: tuple[int, ...] = CHAR_ORDERS
    syllable_orders: tuple[int, ...] = SYLLABLE_ORDERS
    _units: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.table) != LAST_HAN - FIRST_HAN + 1:
            raise ValueError("phonetics: the syllable table does not cover the ideographs")
        if int(self.table.max(initial=0)) > len(self.names):
            raise ValueError("phonetics: the syllable table names a syllable it does not list")

    @classmethod
    def from_pypinyin(cls) -> Phonetics:
        """The table as pypinyin reads each character alone (what training ships)."""
        from faircollect.domain.compliance.screener.phonetic import syllable

        readings = [syllable(chr(cp)) for cp in range(FIRST_HAN, LAST_HAN + 1)]
        names = tuple(sorted({r for r in readings if r}))
        ids = {name: index + 1 for index, name in enumerate(names)}
        return cls(names, np.array([ids.get(r, 0) for r in readings], dtype=np.uint16))

    def unit(self, ch: str) -> str:
        """The syllable-view unit of one character that is not a Latin letter (cached)."""
        found = self._units.get(ch)
        if found is None:
            found = ch.translate(DIGIT_FOLD)
            if FIRST_HAN <= ord(ch) <= LAST_HAN and self.table[ord(ch) - FIRST_HAN]:
                found = self.names[int(self.table[ord(ch) - FIRST_HAN]) - 1]
            self._units[ch] = found
        return found

    def tokens(self, normal: str) -> list[Token]:
        """The syllable view of a normal text, each unit with its span."""
        found: list[Token] = []
        at = 0
        for match in LATIN_RUN.finditer(normal):
            found += [
                Token(self.unit(ch), i, i + 1)
                for i, ch in enumerate(normal[at : match.start()], at)
            ]
            syllables = split_pinyin(match.group())
            begin = match.start()
            for piece in syllables or match.group():  # not pinyin: letter by letter
                found.append(Token(piece, begin, begin + len(piece)))
                begin += len(piece)
            at = match.end()
        found += [Token(self.unit(ch), i, i + 1) for i, ch in enumerate(normal[at:], at)]
        return found

    def units(self, normal: str) -> list[str]:
        """The texts of ``tokens(normal)`` (the fast path: no tokens built for Chinese text)."""
        if LATIN_RUN.search(normal) is None:
            cached = self._units
            return [cached.get(ch) or self.unit(ch) for ch in normal]
        return [token.text for token in self.tokens(normal)]

    def grams(self, normal: str) -> list[str]:
        """Every feature of a normal text, as often as it occurs (the per-message fast path)."""
        text = normal.translate(DIGIT_FOLD)
        found = [text[i : i + n] for n in self.char_orders for i in range(len(text) - n + 1)]
        units = self.units(normal)
        # "_a_b_c": the syllable gram of units i .. i+n-1 is one slice of it, no join per gram
        joined = GRAM_MARK + GRAM_MARK.join(units)
        bounds = list(accumulate(map(len, units), lambda at, size: at + size + 1, initial=0))
        found += [
            joined[bounds[i] : bounds[i + n]]
            for n in self.syllable_orders
            for i in range(len(units) - n + 1)
        ]
        return found

    def positions(self, normal: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """The normal ``[start, end)`` of each feature, in the order ``grams`` lists them
        (for evidence: computed only for a message the model flags)."""
        length = len(normal)
        starts = [np.arange(length - n + 1, dtype=np.int64) for n in self.char_orders]
        ends = [np.arange(n, length + 1, dtype=np.int64) for n in self.char_orders]
        if LATIN_RUN.search(normal) is None:
            unit_starts = np.arange(length, dtype=np.int64)
            unit_ends = unit_starts + 1
        else:
            units = self.tokens(normal)
            unit_starts = np.array([token.start for token in units], dtype=np.int64)
            unit_ends = np.array([token.end for token in units], dtype=np.int64)
        count = len(unit_starts)
        starts += [unit_starts[: max(count - n + 1, 0)] for n in self.syllable_orders]
        ends += [unit_ends[n - 1 :] for n in self.syllable_orders]
        return np.concatenate(starts), np.concatenate(ends)

    def gram_spans(self, normal: str) -> list[tuple[str, int, int]]:
        """Every feature with the normal ``[start, end)`` it covers (``grams`` and
        ``positions`` side by side)."""
        starts, ends = self.positions(normal)
        return list(zip(self.grams(normal), starts.tolist(), ends.tolist(), strict=True))
