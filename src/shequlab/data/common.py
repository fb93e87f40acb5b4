"""Shared pieces of the generator: the seed, per-table random streams, fake names, calendars."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

SEED = 20170811  # the date of the source article
START = pd.Timestamp("2016-01-01")
END = pd.Timestamp("2017-12-31 23:59:59")

# Common surnames and given-name characters; combinations are random, so any match with a real
# person is chance. Every row that carries a name is synthetic.
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹熊白孟秦邱侯江尹薛闫段雷黎史龙陶贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆帅旭宁龙林欢佳阳晨瑞雪琳晶莉颖婷倩蕾雯怡嘉思文博海建国志新春秋月兰凤云梅琴"
)


@dataclass
class Context:
    """What one generation run carries from step to step: the seed and the tables made so far."""

    seed: int = SEED
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    latent: dict[str, pd.Series] = field(default_factory=dict)  # hidden traits, never written

    def rng(self, stream: str) -> np.random.Generator:
        """An independent random stream per name, so adding a table never shifts another."""
        return np.random.default_rng([self.seed, zlib.crc32(stream.encode())])

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]


def fake_names(rng: np.random.Generator, n: int) -> list[str]:
    """n synthetic Chinese names (surname + one or two given characters)."""
    sur = rng.choice(SURNAMES, n)
    two = rng.random(n) < 0.7
    g1 = rng.choice(GIVEN, n)
    g2 = rng.choice(GIVEN, n)
    return [s + a + (b if t else "") for s, a, b, t in zip(sur, g1, g2, two, strict=True)]


def pick(rng: np.random.Generator, labels: dict[str, float], n: int) -> np.ndarray:
    """n codes drawn with the given weights (weights need not sum to 1)."""
    codes = list(labels)
    p = np.array([labels[c] for c in codes], dtype=float)
    return rng.choice(codes, n, p=p / p.sum())


def add_working_days(ts: pd.Series, days: pd.Series) -> pd.Series:
    """Timestamp plus N working days (Monday–Friday; public holidays are not modelled)."""
    base = ts.dt.normalize()
    day = np.busday_offset(
        base.values.astype("datetime64[D]"), days.to_numpy(dtype=int), roll="forward"
    )
    out = pd.to_datetime(day) + (ts - base).to_numpy()
    return pd.Series(out, index=ts.index)


def random_times(
    rng: np.random.Generator, n: int, start: pd.Timestamp, end: pd.Timestamp
) -> pd.Series:
    """n uniform timestamps between start and end, to the minute."""
    span = int((end - start).total_seconds() // 60)
    minutes = rng.integers(0, span, n)
    return pd.Series(start + pd.to_timedelta(minutes, unit="min"))


def truncated_normal(
    rng: np.random.Generator, mean: ArrayLike, sd: ArrayLike, lo: ArrayLike, hi: ArrayLike
) -> np.ndarray:
    """Normal draws kept within [lo, hi] by redrawing the ones outside (clipping would pile
    values up at the bounds, a tell-tale sign of generated data). Arguments broadcast."""
    arrays = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (mean, sd, lo, hi)))
    shape = arrays[0].shape
    mean, sd, lo, hi = (a.ravel() for a in arrays)  # 1-d, so scalars can be redrawn in place too
    out = rng.normal(mean, sd)
    bad = (out < lo) | (out > hi)
    for _ in range(200):
        if not bad.any():
            return out.reshape(shape)
        out[bad] = rng.normal(mean[bad], sd[bad])
        bad = (out < lo) | (out > hi)
    raise ValueError("truncated_normal: the range is too far from the mean")


def round_to(values: np.ndarray, step: int) -> np.ndarray:
    """Round money and counts to a human step (e.g. ¥100)."""
    return (np.round(np.asarray(values, dtype=float) / step) * step).astype(int)
