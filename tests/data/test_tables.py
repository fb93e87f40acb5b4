"""The sample data are faithful to DOMAIN.md: seed figures exact, proportions plausible, ids join,
and the patterns planted for teaching are there."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from shequlab.data.generate import TABLES
from shequlab.data.tables.privacy import check_digit

START, END = pd.Timestamp("2016-01-01"), pd.Timestamp("2017-12-31 23:59:59")
REF_END = pd.Timestamp("2017-12-31")  # ages are at the end of 2017


# ---- seed figures (exact) -------------------------------------------------------------------


def test_seventeen_residential_areas(tables):
    assert len(tables["residential_areas"]) == 17


def test_240_pairings_each_a_distinct_worker_and_building(tables):
    p = tables["pairings"]
    assert len(p) == 240
    assert p["worker_id"].is_unique and p["building_id"].is_unique


def test_80_odd_practical_tasks_done_by_the_articles_date(tables):
    # seed, dated 2017-08-11: "80余件" practical tasks done; the campaign went on afterwards
    t = tables["pairing_tasks"]
    done = t[t["status_code"] == "completed"]
    assert 80 < (done["completed_on"] <= "2017-08-11").sum() < 90
    assert (done["completed_on"] > "2017-08-11").sum() >= 20
    assert done["completed_on"].notna().all()
    assert t.loc[t["status_code"] != "completed", "completed_on"].isna().all()
    assert (t["requested_on"] <= t["completed_on"].fillna(END)).all()
    paired = t["pairing_id"].map(tables["pairings"].set_index("pairing_id")["paired_on"])
    assert (t["requested_on"] >= paired).all(), "a task follows its pairing"


def test_70_micro_projects_over_two_years(tables):
    m = tables["micro_projects"]
    assert len(m) == 70
    assert set(m["year"]) == {2016, 2017}
    assert (m["votes_for"] + m["votes_against"] + m["abstentions"] == m["panel_size"]).all()
    assert (m["votes_for"] > m["panel_size"] / 2).all(), "approved projects won a majority"
    assert m["budget_yuan"].between(10_000, 20_000).all(), "self-governance fund ¥10k–20k"


def test_102_beautiful_stairwells_in_distinct_building_groups(tables):
    s = tables["stairwells"]
    assert len(s) == 102 and s["building_id"].is_unique
    assert set(s["year"]) == {2016, 2017}
    assert (s["completed_on"] > s["started_on"]).all()


def test_all_102_stairwells_are_done_by_the_article_of_11_august_2017(tables):
    s = tables["stairwells"]
    assert (s["completed_on"] <= pd.Timestamp("2017-08-11")).all(), "the seed reports 102 done"


def test_173_stalls_and_6_restaurants_signed_and_moved_within_10_days(tables):
    m = tables["market_relocation"]
    kinds = m["tenant_kind_code"].value_counts()
    assert kinds["stall"] == 173 and kinds["restaurant"] == 6
    day_one = m["first_visit_on"].min()
    assert (m["signed_on"] - day_one).dt.days.max() <= 9
    assert (m["moved_out_on"] - day_one).dt.days.max() <= 9
    assert (m["moved_out_on"] >= m["signed_on"]).all()
    assert (m["signed_on"] >= m["first_visit_on"]).all()


def test_public_service_units_grew_from_one_to_four(tables):
    u = tables["units"]
    ps = u[u["kind_code"] == "public_service"]
    assert (ps["established_year"] < 2014).sum() == 1
    assert len(ps) == 4


def test_three_tiers_and_eighteen_levels(tables):
    assert len(tables["tiers"]) == 3
    pay = tables["pay_scale"]
    assert sorted(pay["level"].unique()) == list(range(1, 19))
    p16 = pay[pay["year"] == 2016].set_index("level")["monthly_pay"]
    assert p16.is_monotonic_increasing
    assert p16[1] == pytest.approx(0.8 * 6504, rel=0.01)
    assert p16[18] == pytest.approx(1.6 * 6504, rel=0.01)
    # the announced city average monthly wages (DOMAIN.md, cited in the data card)
    assert pay.groupby("year")["city_average_wage"].unique().map(list).to_dict() == {
        2016: [6504],
        2017: [7132],
    }
    w = tables["workers"].merge(tables["tiers"], on="tier_code")
    assert w["level"].between(w["level_min"], w["level_max"]).all()


def test_foundation_founded_2016_with_new_corporate_donors_in_2017(tables):
    d = tables["foundation_donations"]
    assert d["donated_on"].min().year == 2016
    firms = d.dropna(subset=["unit_id"])
    first_year = firms.groupby("unit_id")["donated_on"].min().dt.year
    new_2017 = firms[firms["unit_id"].isin(first_year[first_year == 2017].index)]
    assert {"central_soe", "local_soe", "small_micro"} <= set(new_2017["donor_type_code"])


# ---- proportions (DOMAIN.md) ----------------------------------------------------------------


def test_population_and_ageing(tables):
    a = tables["residential_areas"]
    assert a["households"].sum() == pytest.approx(22_000, rel=0.05)
    assert a["residents"].sum() == pytest.approx(85_000, rel=0.05)
    assert 0.33 <= a["residents_60plus"].sum() / a["residents"].sum() <= 0.38
    assert 0.045 <= a["residents_80plus"].sum() / a["residents"].sum() <= 0.07
    assert a["area_km2"].sum() == pytest.approx(2.2, abs=0.01)


def test_area_totals_are_sums_of_their_building_groups(tables):
    b = tables["buildings"].groupby("area_id")[["households", "residents"]].sum()
    a = tables["residential_areas"].set_index("area_id")[["households", "residents"]]
    pd.testing.assert_frame_equal(a.sort_index(), b.sort_index(), check_dtype=False)


def test_staffing_norm_and_workforce_profile(tables):
    w = tables["workers"]
    cw = w[w["staff_category_code"] == "community_worker"]
    residents = tables["residential_areas"]["residents"].sum()
    assert len(cw) / residents * 10_000 >= 18
    assert 36 <= cw["age"].mean() <= 42
    assert 0.30 <= (cw["age"] <= 35).mean() <= 0.46
    assert 0.85 <= (cw["education_code"] != "secondary").mean() <= 0.93
    assert 0.12 <= (cw["qualification_code"] != "none").mean() <= 0.24
    assert cw["tier_code"].notna().all() and w.loc[cw.index.difference(w.index), "tier_code"].empty
    assert w.loc[w["staff_category_code"] != "community_worker", "tier_code"].isna().all()
    secretaries = w[w["post_code"] == "secretary"]
    assert len(secretaries) == 17 and secretaries["public_service_post"].all()


def test_hotline_volume_mix_and_rates(tables):
    o = tables["hotline_orders"]
    per_month = o.set_index("received_at").resample("MS").size()
    assert len(per_month) == 24 and per_month.between(200, 500).all()
    mix = o["order_type_code"].value_counts(normalize=True)
    # the hotline answers most consultations itself: few are dispatched to the subdistrict
    assert 0.10 <= mix["consultation"] <= 0.25
    assert 0.25 <= mix["help"] <= 0.40
    assert 0.25 <= mix["complaint"] <= 0.40
    assert 0.01 <= mix["praise"] <= 0.04
    assert set(o["deadline_days"].dropna()) == {1, 5, 15}
    assert 0.97 <= o["on_time"].mean() <= 0.995  # NA (praise) is skipped: not assessed
    rated = o["satisfaction_code"].dropna()
    assert 0.90 <= rated.isin(["satisfied", "fairly_satisfied"]).mean() <= 0.96
    assert 0.78 <= o["solved"].mean() <= 0.88


def test_praise_orders_have_no_deadline_outcome_or_rating(tables):
    o = tables["hotline_orders"]
    praise = o["order_type_code"] == "praise"
    assessed = ["deadline_days", "extension_days", "due_at", "first_contact_at", "on_time"]
    for col in [*assessed, "solved", "satisfaction_code", "repeat_of"]:
        assert o.loc[praise, col].isna().all(), col
    assert not o.loc[praise, "returned"].any()
    assert o.loc[~praise, [*assessed, "solved"]].notna().all().all()
    assert o["closed_at"].notna().all(), "praise is passed on and closed too"


def test_neighbour_noise_goes_to_the_police_or_the_residents_committee(tables):
    o = tables["hotline_orders"]
    handlers = o.loc[o["category_code"] == "noise", "handler_code"].value_counts(normalize=True)
    assert set(handlers.index) == {"police_station", "residents_committee"}
    assert handlers.min() >= 0.3


def test_hotline_deadlines_count_working_days_with_extensions(tables):
    o = tables["hotline_orders"].dropna(subset=["deadline_days"])
    days = np.busday_count(
        o["received_at"].values.astype("datetime64[D]"), o["due_at"].values.astype("datetime64[D]")
    )
    assert (days == (o["deadline_days"] + o["extension_days"]).to_numpy()).all()
    assert (o["on_time"] == (o["closed_at"] <= o["due_at"])).all()
    assert (o["first_contact_at"] >= o["received_at"]).all()


def test_returned_extended_and_repeat_orders_are_plausible(tables):
    o = tables["hotline_orders"]
    assessed = o[o["order_type_code"] != "praise"]
    assert 0.02 <= assessed["returned"].mean() <= 0.06
    returned = assessed.groupby("category_code")["returned"].mean()
    assert returned["group_renting"] > 2 * returned["policy"]  # shared responsibility
    extended = assessed["extension_days"] > 0
    assert 0.01 <= extended.mean() <= 0.05
    assert (assessed.loc[assessed["deadline_days"] == 1, "extension_days"] == 0).all()
    by_cat = extended.groupby(assessed["category_code"]).mean()
    assert by_cat.idxmax() in {"illegal_construction", "group_renting"}
    # repeat calls point at an earlier order on the same problem, mostly an unsolved one
    rep = o.dropna(subset=["repeat_of"])
    assert 0.05 <= len(rep) / len(o) <= 0.12
    first = o.set_index("order_id").loc[rep["repeat_of"]]
    for col in ("category_code", "area_id", "order_type_code"):
        assert (first[col].to_numpy() == rep[col].to_numpy()).all(), col
    assert (first["closed_at"].to_numpy() <= rep["received_at"].to_numpy()).all()
    assert (~first["solved"]).mean() > 2 * (~assessed["solved"]).mean()


def test_grid_workflow_stages_are_in_order_and_unknown_after_year_end(tables):
    c = tables["grid_cases"]
    stages = [
        "reported_at",
        "registered_at",
        "dispatched_at",
        "handled_at",
        "verified_at",
        "closed_at",
    ]
    for a, b in itertools.pairwise(stages):
        both = c[[a, b]].dropna()
        assert (both[b] >= both[a]).all(), (a, b)
        assert not (c[a].isna() & c[b].notna()).any(), f"{b} without {a}"
    assert (c[stages].max() <= END).all()
    assert c["closed_at"].isna().sum() > 0, "some cases are still open at the end of 2017"
    assert set(c["source_code"]) == {"patrol", "hotline", "camera", "resident"}
    assert set(c["object_kind_code"]) == {"component", "event"}


def test_every_record_lies_in_2016_and_2017(tables):
    for table, col in [
        ("hotline_orders", "received_at"),
        ("grid_cases", "reported_at"),
        ("foundation_donations", "donated_on"),
        ("foundation_grants", "granted_on"),
        ("stairwells", "started_on"),
        ("pairing_tasks", "requested_on"),
        ("resident_requests", "received_on"),
        ("market_relocation", "signed_on"),
    ]:
        s = tables[table][col]
        assert s.min() >= START and s.max() <= END, (table, col)


def test_display_values_and_codes_map_one_to_one(tables):
    for t in TABLES:
        df = tables[t.name]
        for col in df.columns:
            if col.endswith("_code") and col[:-5] in df.columns:
                pairs = df[[col[:-5], col]].dropna().drop_duplicates()
                assert pairs[col].is_unique and pairs[col[:-5]].is_unique, (t.name, col)


# ---- no generator artefacts a trainer would spot ---------------------------------------------


def test_residential_area_names_are_not_roads_of_neighbouring_subdistricts(tables):
    names = set(tables["residential_areas"]["name"].str.removesuffix("居民区"))
    assert not names & {"江苏", "镇宁", "武夷", "安化", "华阳", "愚园"}
    addresses = tables["buildings"]["address"]
    assert not addresses.str.contains("江苏路|镇宁路|武夷路|安化路").any()


def test_ages_of_area_heads_and_deputies_are_spread_not_clipped(tables):
    w = tables["workers"]
    for post in ("secretary", "director", "deputy"):
        ages = w.loc[w["post_code"] == post, "age"]
        assert ages.value_counts().max() <= max(3, 0.2 * len(ages)), post
    secretaries = w.loc[w["post_code"] == "secretary", "age"]
    assert 45 <= secretaries.mean() <= 55
    deputies = w[w["post_code"] == "deputy"]
    assert deputies["age"].min() >= 27, "deputies are not fresh graduates"
    young = w[w["age"] <= 25]
    assert not young["post_code"].isin(["secretary", "director", "deputy"]).any()


def test_service_and_education_fit_age_and_hiring_year(tables):
    w = tables["workers"]
    hired_at = w["age"] - (REF_END - w["hire_date"]).dt.days / 365.25
    assert hired_at.min() >= 20, "nobody started work before 20"
    secondary = w[w["education_code"] == "secondary"]
    assert (secondary["hire_date"].dt.year < 2008).all(), "recent hires hold a college degree"
    assert (secondary["age"] >= 40).all()


def test_hire_dates_are_spread_over_the_calendar(tables):
    hire = tables["workers"]["hire_date"]
    assert hire.dt.strftime("%m-%d").value_counts(normalize=True).max() <= 0.03
    assert hire.dt.month.nunique() == 12
    assert ((hire.dt.month == 12) & (hire.dt.day == 31)).mean() <= 0.02


def test_hotline_calls_come_at_spread_times_and_close_in_office_hours(tables):
    o = tables["hotline_orders"]
    clock = o["received_at"].dt.strftime("%H:%M")
    assert clock.value_counts(normalize=True).max() <= 0.01, "no pile-up at one clock time"
    closed_hour = o["closed_at"].dt.hour
    assert closed_hour.between(8, 19).all(), "handlers close orders from 08:00 to 20:00"
    contact = o.dropna(subset=["first_contact_at"])
    assert contact["first_contact_at"].dt.hour.between(8, 21).all(), "no call-backs at night"
    assert (contact["first_contact_at"] <= contact["closed_at"]).all(), "contact before closing"


def test_grid_cases_are_reported_at_spread_times_by_source(tables):
    c = tables["grid_cases"]
    clock = c["reported_at"].dt.strftime("%H:%M:%S")
    assert clock.value_counts(normalize=True).max() <= 0.01, "no pile-up at one clock time"
    hour = c["reported_at"].dt.hour
    patrol = hour[c["source_code"] == "patrol"]
    assert patrol.between(8, 19).all(), "patrols walk from 08:00 to 20:00"
    camera = hour[c["source_code"] == "camera"]
    assert 0.01 <= (camera < 6).mean() <= 0.10, "cameras see a few cases at night"
    assert camera.value_counts(normalize=True).max() <= 0.15


# ---- referential integrity, checked independently of the schema library ---------------------


def test_every_foreign_key_resolves(tables):
    checked = 0
    for t in TABLES:
        for fk in t.foreign_keys:
            child = tables[t.name][list(fk.fields)].dropna()
            parent = tables[fk.resource][list(fk.reference)]
            keys = set(map(tuple, parent.to_numpy()))
            missing = [k for k in map(tuple, child.to_numpy()) if k not in keys]
            assert not missing, f"{t.name}.{fk.fields} → {fk.resource}: {missing[:3]}"
            checked += 1
    assert checked >= 25


def test_primary_keys_are_unique(tables):
    for t in TABLES:
        assert not tables[t.name].duplicated(list(t.primary_key)).any(), t.name


# ---- planted patterns (documented in datasets/README.md) ------------------------------------


def test_group_renting_is_often_late(tables):
    o = tables["hotline_orders"]
    by_cat = o.groupby("category_code")["on_time"].mean()
    assert by_cat.idxmin() == "group_renting"
    assert by_cat["group_renting"] < o["on_time"].mean() - 0.10


def test_illegal_construction_is_the_most_overdue_grid_category(tables):
    c = tables["grid_cases"]
    rates = c.groupby("category_code")["overdue"].mean()
    assert rates.idxmax() == "illegal_construction" and rates.max() > 0.25


def test_road_chief_system_speeds_up_road_cases(tables):
    c = tables["grid_cases"].dropna(subset=["handled_at"])
    c = c[c["on_road"] & ~c["overdue"]]
    ratio = (c["handled_at"] - c["dispatched_at"]) / pd.to_timedelta(c["time_limit_hours"], "h")
    after = c["reported_at"] >= "2017-04-01"
    assert ratio[after].mean() < 0.8 * ratio[~after].mean()


def test_showcase_area_stairwell_complaints_fall_after_its_makeovers(tables):
    """XH07 did 14 makeovers in 2016 and 2 in 2017; per whole month, its made-over groups
    complain far less after completion than before their works began."""
    o = tables["hotline_orders"]
    s = tables["stairwells"]
    area = s["building_id"].map(tables["buildings"].set_index("building_id")["area_id"])
    xh07 = s[area == "XH07"]
    assert len(xh07) == 16 and (xh07["year"] == 2016).sum() == 14
    month = o["received_at"].dt.to_period("M")
    clutter = o[o["category_code"] == "stairwell_clutter"].assign(month=month)
    months = pd.period_range("2016-01", "2017-12", freq="M")
    before = after = months_before = months_after = 0
    for row in xh07.itertuples():
        mine = clutter.loc[clutter["building_id"] == row.building_id, "month"]
        began, done = row.started_on.to_period("M"), row.completed_on.to_period("M")
        before += (mine < began).sum()
        after += (mine > done).sum()
        months_before += (months < began).sum()
        months_after += (months > done).sum()
    assert after / months_after < 0.5 * before / months_before


def test_treated_building_groups_complain_less_after_the_makeover(tables):
    o = tables["hotline_orders"]
    s = tables["stairwells"].set_index("building_id")["completed_on"]
    c = o[(o["category_code"] == "stairwell_clutter") & o["building_id"].isin(s.index)]
    after = c["received_at"] > c["building_id"].map(s)
    months_after = ((END - s) / pd.Timedelta(days=30.4)).sum()
    months_before = ((s - START) / pd.Timedelta(days=30.4)).sum()
    assert after.sum() / months_after < 0.5 * (~after).sum() / months_before


def test_one_representative_scores_everyone_five(tables):
    r = tables["representative_ratings"]
    spread = r.groupby("rep_id")["score"].agg(["min", "max", "count"])
    flat = spread[(spread["min"] == spread["max"])]
    assert list(flat.index) == ["R07"] and flat.loc["R07", "max"] == 5


def test_housing_office_is_rated_lowest_and_most_divisively(tables):
    r = tables["representative_ratings"]
    stats = r[r["rep_id"] != "R07"].groupby("body_id")["score"].agg(["mean", "std"])
    assert stats["mean"].idxmin() == "housing_office"
    assert stats["std"].idxmax() == "housing_office"


def test_oldest_area_has_the_lowest_pairing_coverage(tables):
    b = tables["buildings"]
    paired = b["building_id"].isin(tables["pairings"]["building_id"])
    coverage = paired.groupby(b["area_id"]).mean()
    a = tables["residential_areas"].set_index("area_id")
    old_share = a["residents_60plus"] / a["residents"]
    assert coverage.idxmin() == "XH04" == old_share.idxmax()
    assert coverage["XH04"] < 0.5 * coverage.median()


def test_oldest_area_has_no_completed_task(tables):
    t = tables["pairing_tasks"].merge(tables["pairings"], on="pairing_id")
    area = t["building_id"].map(tables["buildings"].set_index("building_id")["area_id"])
    done = area[t["status_code"] == "completed"]
    assert "XH04" not in set(done) and done.nunique() == 16


def test_ten_workers_hired_after_the_campaign_are_unpaired(tables):
    w = tables["workers"]
    unpaired = w[~w["worker_id"].isin(tables["pairings"]["worker_id"])]
    assert len(unpaired) == 10 and (unpaired["hire_date"] >= "2017-06-01").all()


def test_parking_needs_find_no_resources(tables):
    n, c = tables["needs"], tables["project_claims"]
    parking = n[n["theme_code"] == "parking"]
    assert len(parking) >= 5 and not parking["need_id"].isin(c["need_id"]).any()


# ---- fake personal data ---------------------------------------------------------------------


def test_personal_data_is_visibly_fake(tables):
    r = tables["resident_requests"]
    assert r["synthetic"].all()
    assert r["mobile"].str.fullmatch(r"100\d{8}").all()
    assert all(check_digit(i[:17]) != i[17] for i in r["id_number"]), "every ID must be invalid"
    birth = pd.to_datetime(r["id_number"].str[6:14], format="%Y%m%d")
    assert (birth == r["birth_date"]).all()
    male = r["id_number"].str[16].astype(int) % 2 == 1
    assert (male == (r["gender"] == "男")).all()


def test_check_digit_matches_the_published_example():
    # the GB 11643-1999 standard's worked example: 11010519491231002X
    assert check_digit("11010519491231002") == "X"


def test_the_foundation_grants_nothing_before_it_exists(tables):
    first_donation = tables["foundation_donations"]["donated_on"].min()
    assert (tables["foundation_grants"]["granted_on"] > first_donation).all()
