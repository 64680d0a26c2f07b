"""Synthetic borrowers and their emergency contacts, vectorised (numpy + Polars).

Names are surname + one or two given-name characters; mobile numbers use real carrier
prefixes; ID numbers carry a region code of the borrower's city, a birth date that makes
the borrower 20-60 on the as-of date, and a correct GB 11643 check digit, so the importer's
validation accepts them and a screen shows plausible people. None of them is a real person.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
    "彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金"
    "石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
    "万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂华建国志红玉兰"
    "文斌宇浩凯鹏飞晨婷雪琳欣怡子轩梓涵佳俊博睿颖晓慧海波云峰瑞丹"
    "宁鑫思雨梦"
)
CITIES = (
    ("杭州", 330106),
    ("成都", 510107),
    ("北京", 110105),
    ("上海", 310115),
    ("广州", 440106),
    ("深圳", 440304),
    ("武汉", 420106),
    ("西安", 610113),
    ("南京", 320106),
    ("重庆", 500112),
    ("长沙", 430104),
    ("郑州", 410105),
    ("济南", 370102),
    ("合肥", 340104),
    ("昆明", 530102),
    ("福州", 350102),
    ("南宁", 450103),
    ("石家庄", 130102),
    ("沈阳", 210102),
    ("哈尔滨", 230102),
)
MOBILE_PREFIXES = (
    130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 153,
    155, 156, 157, 158, 159, 177, 180, 181, 182, 183, 186, 187, 188, 189, 199,
)  # fmt: skip
RELATIONS = ("配偶", "父母", "兄弟姐妹", "朋友", "同事")
RELATION_WEIGHTS = (0.3, 0.3, 0.2, 0.12, 0.08)
EMAIL_SHARE = 0.45
"""Share of borrowers who gave an e-mail address; the others get none (an empty cell)."""
EMAIL_DOMAINS = ("qq.example", "163.example", "126.example", "foxmail.example")
"""Look like the common Chinese mailbox providers, but under the reserved ``.example`` TLD
(RFC 2606): a demo night run with a real SMTP adapter can never reach a real mailbox."""
_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_ID_CHECK = np.array(list("10X98765432"))


def names(rng: np.random.Generator, n: int) -> pl.Series:
    """Surname + one or two given-name characters (70% have two)."""
    surname = pl.Series(list(SURNAMES)).gather(rng.integers(0, len(SURNAMES), n))
    given = pl.Series(list(GIVEN))
    first = given.gather(rng.integers(0, len(GIVEN), n))
    second = given.gather(rng.integers(0, len(GIVEN), n))
    two = pl.Series(rng.random(n) < 0.7)
    frame = pl.DataFrame({"s": surname, "a": first, "b": second, "two": two})
    return frame.select(
        pl.when(pl.col("two"))
        .then(pl.concat_str("s", "a", "b"))
        .otherwise(pl.concat_str("s", "a"))
        .alias("name")
    ).to_series()


def mobile_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """11-digit mobile numbers as int64 (carrier prefix + 8 random digits)."""
    prefix = np.array(MOBILE_PREFIXES, dtype=np.int64)[rng.integers(0, len(MOBILE_PREFIXES), n)]
    return prefix * 100_000_000 + rng.integers(0, 100_000_000, n, dtype=np.int64)


def id_numbers(rng: np.random.Generator, city: np.ndarray, as_of: date) -> pl.Series:
    """18-character ID numbers: city region code, birth date (age 20-60), sequence, check."""
    n = len(city)
    region = np.array([code for _, code in CITIES], dtype=np.int64)[city]
    born = np.datetime64(as_of, "D") - rng.integers(20 * 365, 60 * 365, n).astype("timedelta64[D]")
    ymd = born.astype("datetime64[D]").astype(str)
    birth = np.char.replace(ymd, "-", "").astype(np.int64)
    sequence = rng.integers(0, 1000, n, dtype=np.int64)
    body = region * 10**11 + birth * 1000 + sequence
    digits = (body[:, None] // 10 ** np.arange(16, -1, -1, dtype=np.int64)) % 10
    check = _ID_CHECK[(digits @ _ID_WEIGHTS) % 11]
    return pl.Series(body.astype(str)) + pl.Series(check)


def borrowers_frame(rng: np.random.Generator, ids: pl.Series, as_of: date) -> pl.DataFrame:
    """borrowers.csv rows for the given borrower ids."""
    n = len(ids)
    city = rng.integers(0, len(CITIES), n)
    return pl.DataFrame(
        {
            "borrower_id": ids,
            "name": names(rng, n),
            "phone": mobile_numbers(rng, n).astype(str),
            "id_number": id_numbers(rng, city, as_of),
            "city": pl.Series([name for name, _ in CITIES]).gather(city),
        }
    )


def emails(rng: np.random.Generator, phone: pl.Series) -> pl.Series:
    """An ``email`` column for borrowers with these phones: about ``EMAIL_SHARE`` of them
    have one, addressed by their QQ number or their mobile number as people in China
    commonly are; the rest are empty (null)."""
    n = len(phone)
    qq = pl.Series(rng.integers(10_000, 3_000_000_000, n, dtype=np.int64)).cast(pl.Utf8)
    domain = pl.Series(list(EMAIL_DOMAINS)).gather(rng.integers(0, len(EMAIL_DOMAINS), n))
    by_qq = pl.Series(rng.random(n) < 0.6)
    given = pl.Series(rng.random(n) < EMAIL_SHARE)
    local = pl.select(pl.when(by_qq).then(qq).otherwise(phone)).to_series()
    address = pl.select(pl.concat_str(local, pl.lit("@"), domain)).to_series()
    return pl.select(pl.when(given).then(address).otherwise(None).alias("email")).to_series()


def contacts_frame(rng: np.random.Generator, ids: pl.Series) -> pl.DataFrame:
    """contacts.csv rows: one or two per borrower; the second is sometimes not an emergency
    contact (a colleague the borrower named), which the compliance gate must not relay to."""
    n = len(ids)
    count = 1 + (rng.random(n) < 0.5)
    owner = np.repeat(np.arange(n), count)
    second = np.zeros(len(owner), dtype=bool)
    second[1:] = owner[1:] == owner[:-1]
    phone = mobile_numbers(rng, len(owner))
    phone[second] = np.where(phone[second] == phone[np.flatnonzero(second) - 1],
                             phone[second] + 1, phone[second])  # fmt: skip
    relation = rng.choice(len(RELATIONS), len(owner), p=RELATION_WEIGHTS)
    emergency = ~second | (rng.random(len(owner)) < 0.6)
    return pl.DataFrame(
        {
            "borrower_id": ids.gather(owner),
            "name": names(rng, len(owner)),
            "phone": phone.astype(str),
            "relation": pl.Series(list(RELATIONS)).gather(relation),
            "is_emergency": pl.Series(np.where(emergency, "true", "false")),
        }
    )
