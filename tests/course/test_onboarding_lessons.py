"""What onboarding lessons claim holds on the data: the answer key is run and its results read.

onb-02 teaches that the drop in the group-renting on-time rate between 2016 and 2017 could be
chance; onb-06 teaches that the masked working table singles out every request while the
released table, with generalised quasi-identifiers, singles out few; onb-05 compares community
workers (not all staff) with the city's figure. If the data are regenerated so that one of these
stops being true, the lesson (and its rubric and model answer) must change; the figures the model
answers quote are checked against the answer key too.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from shequlab.layout.project import project_root

ROOT = project_root()
pytestmark = pytest.mark.slow


def _is_test(cell: nbformat.NotebookNode) -> bool:
    """An autograded test cell (its visible checks need the build's seals, so it is skipped)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


def run_answer_key(module_dir: Path, tmp_path: Path, report: str) -> dict:
    """Run a module's source exercises (solutions in place, test cells left out) next to the
    datasets; return the JSON that the extra `report` cell prints."""
    nb = nbformat.read(module_dir / "exercises.ipynb", as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type == "code" and not _is_test(c)]
    nb.cells.append(nbformat.v4.new_code_cell(report))
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "data").symlink_to(ROOT / "datasets")
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    out = nb.cells[-1].outputs
    return json.loads("".join(o.get("text", "") for o in out if o.get("name") == "stdout"))


def model_answer(module_dir: Path, grade_id: str) -> str:
    """The text of a manually graded cell's model answer."""
    nb = nbformat.read(module_dir / "exercises.ipynb", as_version=4)
    [cell] = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    return cell.source


def test_onb02_group_renting_drop_is_within_chance(tmp_path):
    got = run_answer_key(
        ROOT / "notebooks/onboarding/onb-02-hotline",
        tmp_path,
        "import json; print(json.dumps({'drop': float(drop), 'margin': float(margin), "
        "'chance': bool(could_be_chance), 'n': {str(k): int(v) for k, v in n_by_year.items()}, "
        "'on_time': int(group_renting['on_time'].sum())}))",
    )
    assert got["chance"], f"the lesson says the drop could be chance, the data now say not: {got}"
    assert 0 < got["drop"] < got["margin"], got
    assert all(50 <= n <= 200 for n in got["n"].values()), f"'about a hundred orders a year': {got}"
    # the model answer quotes these figures: regenerated data must come with a rewritten answer
    answer = model_answer(ROOT / "notebooks/onboarding/onb-02-hotline", "reflection_group_renting")
    total = sum(got["n"].values())
    quoted = [
        f"{total} 张中 {got['on_time']} 张",
        f"{got['n']['2016']} 张",
        f"{got['n']['2017']} 张",
        f"±{round(got['margin'] * 100)} 个百分点",
    ]
    assert all(q in answer for q in quoted), [q for q in quoted if q not in answer]


def test_onb06_released_table_singles_out_few_and_masked_every_row(tmp_path):
    got = run_answer_key(
        ROOT / "notebooks/onboarding/onb-06-privacy",
        tmp_path,
        """
import json
_fine = masked.groupby(["area_id", "building_id", "gender", "birth_date"])["request_id"]
_fine = _fine.transform("size")
_coarse = released.groupby(["area_id", "gender", "age_band"], observed=True)["request_type"]
_coarse = _coarse.transform("size")
print(json.dumps({
    "rows": len(released),
    "columns": list(released.columns),
    "masked_unique": int((_fine == 1).sum()),
    "released_unique": int((_coarse == 1).sum()),
    "answer": int(n_unique_quasi),
    "shared_without_tick": int(
        (~requests.set_index("request_id").loc[shareable["request_id"], "consent_to_share"]).sum()
    ),
    "sensitive_share": float(sensitive_share),
}))
""",
    )
    assert got["columns"] == ["area_id", "gender", "age_band", "request_type"], got
    assert got["masked_unique"] == got["rows"], "the notebook says every row of masked is unique"
    assert got["answer"] == got["released_unique"], "the exercise measures the released table"
    assert 0 < got["released_unique"] <= 0.1 * got["rows"], got
    # the contracted provider's list rests on the open applications, not the 2016 tick-box
    assert got["shared_without_tick"] > 0, got
    answer = model_answer(ROOT / "notebooks/onboarding/onb-06-privacy", "reflection_pipl")
    quoted = [f"约 {round(got['sensitive_share'] * 100)}%", f"{got['released_unique']} 行"]
    assert all(q in answer for q in quoted), [q for q in quoted if q not in answer]


def test_onb05_model_answer_quotes_community_workers_and_the_pay_scale(tmp_path):
    got = run_answer_key(
        ROOT / "notebooks/onboarding/onb-05-career",
        tmp_path,
        """
import json
_p = pay_scale[pay_scale["year"] == 2017].set_index("level")["monthly_pay"]
print(json.dumps({
    "community": int((workers["staff_category"] == "社区工作者").sum()),
    "young": int(((workers["staff_category"] == "社区工作者") & (workers["age"] <= 35)).sum()),
    "youth_share": float(youth_share),
    "young_staff": len(young_staff),
    "posts": int(young_staff["youth_deputy_post"].sum()),
    "pay_2": int(_p[2]), "pay_6": int(_p[6]),
    "growth": float(payroll_growth),
}))
""",
    )
    assert got["youth_share"] == got["young"] / got["community"], "≤35 share of community workers"
    answer = model_answer(ROOT / "notebooks/onboarding/onb-05-career", "reflection_career")
    quoted = [
        f"{got['community']} 名社区工作者",
        f"{got['young']} 人，约 {round(got['youth_share'] * 100)}%",
        f"{got['young_staff']} 名社工里只有 {got['posts']} 人",
        f"¥{got['pay_6']:,}",
        f"¥{got['pay_2']:,}",
        f"约 {round(got['growth'] * 100)}%",
    ]
    assert all(q in answer for q in quoted), [q for q in quoted if q not in answer]


def test_onb01_onb03_onb04_model_answers_quote_the_answer_key(tmp_path):
    onb = ROOT / "notebooks/onboarding"
    first = run_answer_key(
        onb / "onb-01-neighbourhood",
        tmp_path / "onb01",
        "import json; print(json.dumps({'oldest': float(areas['share_60plus'].max()), "
        "'walkups': len(walkups), 'elderly': int(walkup_elderly)}))",
    )
    answer = model_answer(onb / "onb-01-neighbourhood", "reflection_first_visit")
    quoted = [
        f"占 {first['oldest'] * 100:.1f}%",
        f"{first['walkups']} 个楼组",
        f"约 {first['elderly'] / 10000:.1f} 万",
    ]
    assert all(q in answer for q in quoted), [q for q in quoted if q not in answer]

    grid = run_answer_key(
        onb / "onb-03-grid",
        tmp_path / "onb03",
        """
import json
_off = cases[~cases["on_road"]]
_after = _off["reported_at"] >= pd.Timestamp("2017-04-01")
print(json.dumps({"before": float(road_before), "after": float(road_after),
                  "off": [float(_off.loc[~_after, "limit_used"].median()),
                          float(_off.loc[_after, "limit_used"].median())]}))
""",
    )
    answer = model_answer(onb / "onb-03-grid", "reflection_road_chief")
    off = grid["off"]
    quoted = [
        f"约 {grid['before']:.2f}",
        f"约 {grid['after']:.2f}",
        f"约 {off[0]:.2f} 和 {off[1]:.2f}",
    ]
    assert all(q in answer for q in quoted), [q for q in quoted if q not in answer]
    assert abs(off[0] - off[1]) < 0.05, f"the answer says off-road cases hardly changed: {grid}"

    pairing = run_answer_key(
        onb / "onb-04-pairing",
        tmp_path / "onb04",
        """
import json
_low = coverage.index[0]
_groups = building_status[building_status["area_id"] == _low]
print(json.dumps({"groups": len(_groups), "paired": int(_groups["paired"].sum()),
                  "coverage": float(coverage.iloc[0]), "others": [float(coverage.iloc[1]),
                  float(coverage.iloc[-1])], "reach": float(elderly_reach[_low]),
                  "tasks": int(tasks_per_area[_low]), "unpaired": len(unpaired),
                  "unpaired_here": int((unpaired["area_id"] == _low).sum())}))
""",
    )
    answer = model_answer(onb / "onb-04-pairing", "reflection_proposal")
    quoted = [
        f"有 {pairing['groups']} 个楼组",
        f"只结上了 {pairing['paired']} 对",
        f"覆盖率约 {round(pairing['coverage'] * 100)}%",
        f"{round(pairing['others'][0] * 100)}%–{round(pairing['others'][1] * 100)}%",
        f"约 {round(pairing['reach'] * 100)}% 的 60 岁以上居民",
        f"{pairing['unpaired']} 名人员",
        f"其中 {pairing['unpaired_here']} 人",
    ]
    assert all(q in answer for q in quoted), [q for q in quoted if q not in answer]
    assert pairing["tasks"] == 0, "the answer says no completed task is recorded for the area"
