"""Unit and property tests of bmdsim.engagement.flyout_table (interceptor fly-out tables)."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bmdsim.engagement import flyout_table as ft
from bmdsim.engagement.flyout_table import (
    FlyoutTable,
    FlyoutTableError,
    FlyoutTableSettings,
    InterceptorKinematics,
    build_flyout_table,
    default_cache_dir,
    flyout_table_key,
    get_flyout_table,
)
from bmdsim.physics.earth import earth_model, ecef_to_geodetic, geodesic_inverse

SM3_IIA = InterceptorKinematics(4500.0, 60.0, 70e3, 1200e3, 600.0)  # catalog-like numbers
# small, fast tables for the many builds of the tests
SMALL = FlyoutTableSettings(
    earth_model="sphere", rotation=False, n_elevations=45, n_range=121, n_alt=61
)
RANGE_GRID = np.linspace(0.0, 2500e3, 126)
ALT_GRID = np.linspace(20e3, 1500e3, 75)
FIXED = SMALL.with_(range_grid_m=RANGE_GRID, alt_grid_m=ALT_GRID)


@pytest.fixture(scope="module")
def table() -> FlyoutTable:
    return build_flyout_table(SM3_IIA)  # default settings: WGS84, rotating, 0.5 deg fan


@pytest.fixture(scope="module")
def small() -> FlyoutTable:
    return build_flyout_table(SM3_IIA, SMALL)


# ------------------------------------------------------------------------------ inputs


@pytest.mark.parametrize(
    "fields",
    [
        {"burnout_speed_m_s": 0.0},
        {"burnout_speed_m_s": math.nan},
        {"burn_time_s": -1.0},
        {"min_intercept_alt_m": -10.0},
        {"max_intercept_alt_m": 50e3},  # below the minimum
        {"max_flyout_time_s": 30.0},  # shorter than the burn
        {"beta_kg_m2": 0.0},
    ],
)
def test_kinematics_rejects_nonsense(fields: dict[str, float]) -> None:
    base = {"burnout_speed_m_s": 3000.0, "burn_time_s": 40.0, "min_intercept_alt_m": 70e3,
            "max_intercept_alt_m": 500e3, "max_flyout_time_s": 400.0}  # fmt: skip
    with pytest.raises(ValueError, match="InterceptorKinematics"):
        InterceptorKinematics(**{**base, **fields})


@pytest.mark.parametrize(
    "fields",
    [
        {"earth_model": "flat"},
        {"n_elevations": 2},
        {"min_elevation_rad": 1.0, "max_elevation_rad": 0.5},
        {"max_elevation_rad": 2.0},
        {"sample_dt_s": 0.0},
        {"site_lat_rad": 2.0},
        {"range_grid_m": [0.0, 2.0, 1.0]},
        {"alt_grid_m": [1.0]},
    ],
)
def test_settings_reject_nonsense(fields: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        FlyoutTableSettings(**fields)  # type: ignore[arg-type]


def test_unknown_option_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        build_flyout_table(SM3_IIA, elevation_step=1.0)


def test_earth_model_name_is_normalized() -> None:
    assert FlyoutTableSettings(earth_model=" Sphere ").earth_model == "sphere"


# ------------------------------------------------------------------------------ hash and cache


def test_key_is_stable_and_changes_with_every_parameter() -> None:
    key = flyout_table_key(SM3_IIA, SMALL)
    assert key == flyout_table_key(SM3_IIA, SMALL.with_())
    assert len(key) == 64 and int(key, 16) >= 0
    changed = [
        flyout_table_key(InterceptorKinematics(4501.0, 60.0, 70e3, 1200e3, 600.0), SMALL),
        flyout_table_key(InterceptorKinematics(4500.0, 60.0, 70e3, 1200e3, 601.0), SMALL),
        flyout_table_key(InterceptorKinematics(4500.0, 60.0, 70e3, 1200e3, 600.0, 3e3), SMALL),
        flyout_table_key(SM3_IIA, SMALL, rotation=True),
        flyout_table_key(SM3_IIA, SMALL, earth_model="wgs84"),
        flyout_table_key(SM3_IIA, SMALL, n_elevations=46),
        flyout_table_key(SM3_IIA, SMALL, sample_dt_s=0.25),
        flyout_table_key(SM3_IIA, SMALL, azimuth_rad=1.0),
        flyout_table_key(SM3_IIA, SMALL, site_lat_rad=0.5),
        flyout_table_key(SM3_IIA, SMALL, n_range=122),
        flyout_table_key(SM3_IIA, FIXED),
        flyout_table_key(SM3_IIA, FIXED, range_grid_m=RANGE_GRID * 1.000001),
    ]
    assert len({key, *changed}) == len(changed) + 1


def test_key_ignores_drag_flag_without_a_ballistic_coefficient() -> None:
    assert flyout_table_key(SM3_IIA, SMALL, drag=True) == flyout_table_key(
        SM3_IIA, SMALL, drag=False
    )
    endo = InterceptorKinematics(1700.0, 10.0, 3e3, 30e3, 90.0, beta_kg_m2=3e3)
    assert flyout_table_key(endo, SMALL, drag=True) != flyout_table_key(endo, SMALL, drag=False)


def test_key_includes_the_model_version(monkeypatch: pytest.MonkeyPatch) -> None:
    key = flyout_table_key(SM3_IIA, SMALL)
    monkeypatch.setattr(ft, "MODEL_VERSION", "bmdsim.flyout-table/test")
    assert flyout_table_key(SM3_IIA, SMALL) != key


def _assert_same_table(a: FlyoutTable, b: FlyoutTable) -> None:
    assert a.key == b.key
    assert a.kinematics == b.kinematics and a.settings == b.settings
    for name in ("range_grid_m", "alt_grid_m", "kinematic_time_s", "elevation_rad"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert (a.reach_range_m, a.reach_alt_m) == (b.reach_range_m, b.reach_alt_m)


def test_cache_hit_returns_identical_arrays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = get_flyout_table(SM3_IIA, SMALL, cache_dir=tmp_path / "cache")
    path = tmp_path / "cache" / f"{first.key}.npz"
    assert path.is_file()

    def no_build(*_args: object, **_kwargs: object) -> FlyoutTable:
        raise AssertionError("a cache hit must not rebuild")

    monkeypatch.setattr(ft, "build_flyout_table", no_build)
    second = get_flyout_table(SM3_IIA, SMALL, cache_dir=tmp_path / "cache")
    _assert_same_table(first, second)
    assert not second.kinematic_time_s.flags.writeable


def test_default_cache_dir_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BMDSIM_CACHE_DIR", str(tmp_path / "root"))
    assert default_cache_dir() == tmp_path / "root" / "flyout-tables"
    tab = get_flyout_table(SM3_IIA, SMALL)
    assert (tmp_path / "root" / "flyout-tables" / f"{tab.key}.npz").is_file()
    monkeypatch.delenv("BMDSIM_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "bmdsim" / "flyout-tables"


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other-table"])
def test_damaged_cache_file_is_rebuilt_with_a_warning(tmp_path: Path, damage: str) -> None:
    good = build_flyout_table(SM3_IIA, SMALL)
    path = tmp_path / f"{good.key}.npz"
    if damage == "garbage":
        path.write_bytes(b"not a table")
    elif damage == "truncated":
        good.save(path)
        path.write_bytes(path.read_bytes()[:1000])
    else:  # a valid table stored under the wrong name
        build_flyout_table(SM3_IIA, SMALL, rotation=True).save(path)
    with pytest.warns(RuntimeWarning, match="rebuilding"):
        rebuilt = get_flyout_table(SM3_IIA, SMALL, cache_dir=tmp_path)
    _assert_same_table(rebuilt, good)
    _assert_same_table(FlyoutTable.load(path), good)  # the file was repaired


def test_load_rejects_another_model_version(
    small: FlyoutTable, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = small.save(tmp_path / "t.npz")
    monkeypatch.setattr(ft, "MODEL_VERSION", "bmdsim.flyout-table/999")
    with pytest.raises(FlyoutTableError, match="model version"):
        FlyoutTable.load(path)


def test_save_is_atomic(
    small: FlyoutTable, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = small.save(tmp_path / "t.npz")
    before = path.read_bytes()

    def crash(fh: object, **_arrays: object) -> None:
        fh.write(b"partial")  # type: ignore[attr-defined]
        raise OSError("disk full")

    monkeypatch.setattr(ft.np, "savez_compressed", crash)
    other = build_flyout_table(SM3_IIA, SMALL, rotation=True)
    with pytest.raises(OSError, match="disk full"):
        other.save(path)
    assert path.read_bytes() == before  # the old file is untouched
    assert os.listdir(tmp_path) == ["t.npz"]  # and no temporary file is left behind
    _assert_same_table(FlyoutTable.load(path), small)


def test_unwritable_cache_only_warns(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    with pytest.warns(RuntimeWarning, match="not cached"):
        tab = get_flyout_table(SM3_IIA, SMALL, cache_dir=blocker)
    assert np.isfinite(tab.kinematic_time_s).any()


# ------------------------------------------------------------------------------ queries


def test_time_to_reach_at_nodes_is_the_table(table: FlyoutTable) -> None:
    x, h = np.meshgrid(table.range_grid_m, table.alt_grid_m, indexing="ij")
    np.testing.assert_array_equal(table.time_to_reach(x, h), table.time_s)


def test_time_to_reach_shapes_and_special_values(table: FlyoutTable) -> None:
    kin = table.kinematics
    assert table.time_to_reach(300e3, 200e3).shape == ()
    assert table.time_to_reach(np.full((3, 4), 300e3), 200e3).shape == (3, 4)
    assert table.time_to_reach(np.ones((2, 1)), np.ones((1, 5))).shape == (2, 5)
    t = table.time_to_reach(
        [300e3, math.nan, -1.0, 300e3, 300e3, table.reach_range_m + 1.0, 0.0],
        [200e3, 200e3, 200e3, kin.min_intercept_alt_m - 1.0, kin.max_intercept_alt_m + 1.0,
         200e3, table.reach_alt_m + 1.0],
    )  # fmt: skip
    assert 60.0 < t[0] < kin.max_flyout_time_s
    assert np.isnan(t[1]) and np.isnan(t[2])  # NaN and negative ranges are not points
    assert np.all(np.isinf(t[3:]))  # outside the band, beyond the reach, above the ceiling


def test_fly_out_time_limit_applies_at_the_point(table: FlyoutTable) -> None:
    kin = table.kinematics
    finite = np.isfinite(table.kinematic_time_s)
    over = finite & (table.kinematic_time_s > kin.max_flyout_time_s)
    assert over.any()  # the default grid reaches beyond the time limit
    assert np.all(np.isinf(table.time_s[over]))
    assert np.all(table.time_s[finite & ~over] <= kin.max_flyout_time_s)


def test_reachable(table: FlyoutTable) -> None:
    t = float(table.time_to_reach(500e3, 300e3))
    assert table.reachable(500e3, 300e3)
    assert table.reachable(500e3, 300e3, within_s=t + 1.0)
    assert not table.reachable(500e3, 300e3, within_s=t - 1.0)
    assert not table.reachable(math.nan, 300e3)
    assert table.reachable(np.zeros(7), 300e3).shape == (7,)


def _handmade(time_s: np.ndarray, kin: InterceptorKinematics = SM3_IIA) -> FlyoutTable:
    xg, yg = np.linspace(0.0, 1000e3, time_s.shape[0]), np.linspace(70e3, 1200e3, time_s.shape[1])
    return FlyoutTable(kin, SMALL, "hand", xg, yg, time_s, np.zeros_like(time_s), 1e9, 1e9)


def test_bilinear_interpolation_is_exact_for_a_bilinear_field() -> None:
    xg, yg = np.linspace(0.0, 1000e3, 11), np.linspace(70e3, 1200e3, 7)
    field = 50.0 + 2e-4 * xg[:, None] + 1e-4 * yg[None, :] + 1e-10 * xg[:, None] * yg[None, :]
    tab = _handmade(field)
    rng = np.random.default_rng(1)
    x, y = rng.uniform(0.0, 1000e3, 1000), rng.uniform(70e3, 1200e3, 1000)
    expect = 50.0 + 2e-4 * x + 1e-4 * y + 1e-10 * x * y
    np.testing.assert_allclose(tab.time_to_reach(x, y), expect, rtol=1e-12)


def test_a_cell_with_an_unreachable_corner_is_unreachable() -> None:
    field = np.full((11, 7), 100.0)
    field[5, 3] = np.inf
    tab = _handmade(field)
    xg, yg = tab.range_grid_m, tab.alt_grid_m
    assert np.isinf(tab.time_to_reach(0.5 * (xg[4] + xg[5]), 0.5 * (yg[3] + yg[4])))
    assert tab.time_to_reach(xg[4], yg[3]) == 100.0  # the finite node itself, zero weight there
    assert tab.time_to_reach(0.5 * (xg[6] + xg[7]), yg[3]) == 100.0  # the next cell over
    # off the grid but short of the fan's reach: unknown
    assert np.isnan(_handmade(field).time_to_reach(2000e3, 100e3))


def _time_to_reach_numpy(tab: FlyoutTable, ground_range_m: np.ndarray, alt_m: np.ndarray
                         ) -> np.ndarray:  # fmt: skip
    """Independent reference: the rule of `FlyoutTable.time_to_reach` in numpy arrays (the
    method's implementation before it moved to the numba kernel `time_to_reach_scalar`)."""
    x, y = np.broadcast_arrays(np.asarray(ground_range_m, float), np.asarray(alt_m, float))

    def bracket(grid: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        i = np.clip(np.searchsorted(grid, v, side="right") - 1, 0, grid.size - 2)
        with np.errstate(invalid="ignore"):
            frac = (v - grid[i]) / (grid[i + 1] - grid[i])
        return i, frac, (v >= grid[0]) & (v <= grid[-1])

    ix, fx, in_x = bracket(tab.range_grid_m, x)
    iy, fy, in_y = bracket(tab.alt_grid_m, y)
    out = np.zeros(x.shape)
    blocked = np.zeros(x.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        for dx, wx in ((0, 1.0 - fx), (1, fx)):
            for dy, wy in ((0, 1.0 - fy), (1, fy)):
                c = tab.kinematic_time_s[ix + dx, iy + dy]
                w = wx * wy
                finite = np.isfinite(c)
                blocked |= (w > 0.0) & ~finite
                out += w * np.where(finite, c, 0.0)
    kin = tab.kinematics
    out = np.where(blocked | (out > kin.max_flyout_time_s), np.inf, out)
    beyond = (x > tab.reach_range_m) | (y > tab.reach_alt_m)
    out = np.where(in_x & in_y, out, np.where(beyond, np.inf, np.nan))
    out = np.where((y < kin.min_intercept_alt_m) | (y > kin.max_intercept_alt_m), np.inf, out)
    return np.where(np.isnan(x) | np.isnan(y) | (x < 0.0), np.nan, out)


def _probes(grid: np.ndarray, extra: list[float], rng: np.random.Generator) -> np.ndarray:
    """Every node, one ulp either side of it, every mid-cell, points off both ends, the
    `extra` values and random points over the grid and a little beyond."""
    span = grid[-1] - grid[0]
    return np.concatenate([
        grid, np.nextafter(grid, -np.inf), np.nextafter(grid, np.inf),
        0.5 * (grid[1:] + grid[:-1]), [grid[0] - 0.1 * span, grid[-1] + 0.1 * span],
        extra, rng.uniform(grid[0] - 0.05 * span, grid[-1] + 0.05 * span, 200),
    ])  # fmt: skip


def _blocked_table() -> FlyoutTable:
    """Non-uniform grids, unreachable nodes (inf and NaN), times beyond the fly-out limit."""
    xg = np.concatenate([[0.0], np.geomspace(1e3, 2000e3, 30)])
    yg = np.concatenate([np.linspace(20e3, 300e3, 8), np.geomspace(350e3, 1500e3, 9)])
    field = 50.0 + 2.5e-4 * xg[:, None] + 1e-4 * yg[None, :]
    field[5, 3] = field[20:, 10] = np.inf
    field[12, 6] = np.nan
    field[-3:, :] = np.inf  # out of reach at the far end
    return FlyoutTable(SM3_IIA, SMALL, "hand", xg, yg, field, np.zeros_like(field), 1900e3, 1.4e6)


@pytest.mark.parametrize("which", ["table", "small", "blocked"])
def test_kernel_rule_equals_the_numpy_rule_bit_for_bit(
    which: str, request: pytest.FixtureRequest
) -> None:
    """`time_to_reach` (the numba kernel `time_to_reach_scalar`) against the same rule written
    in numpy arrays, on every node, one ulp either side of each node, mid-cells, band and
    reach limits, off-grid, NaN and negative points, and random points: identical numbers
    (tolerance 0: the bilinear sum is made of the same operations in the same order)."""
    tab = _blocked_table() if which == "blocked" else request.getfixturevalue(which)
    kin, rng = tab.kinematics, np.random.default_rng(3)
    x = _probes(tab.range_grid_m, [-1.0, -0.0, math.nan, math.inf, tab.reach_range_m,
                                   np.nextafter(tab.reach_range_m, math.inf)], rng)  # fmt: skip
    y = _probes(tab.alt_grid_m, [kin.min_intercept_alt_m, kin.max_intercept_alt_m,
                                 np.nextafter(kin.min_intercept_alt_m, -math.inf),
                                 np.nextafter(kin.max_intercept_alt_m, math.inf), tab.reach_alt_m,
                                 math.nan, -1.0], rng)  # fmt: skip
    xx, yy = np.meshgrid(x, y, indexing="ij")
    got = tab.time_to_reach(xx, yy)
    want = _time_to_reach_numpy(tab, xx, yy)
    assert np.array_equal(got, want, equal_nan=True)
    assert np.isfinite(got).any() and np.isinf(got).any() and np.isnan(got).any()


@pytest.mark.parametrize("grid", [np.linspace(0.0, 2500e3, 126), np.geomspace(1.0, 1e7, 57),
                                  np.array([-5.0, 0.0, 1e-300, 3.0])])  # fmt: skip
def test_grid_cell_is_numpys_searchsorted(grid: np.ndarray) -> None:
    """`grid_cell` (guess on a uniform grid, else bisection) gives numpy's
    ``searchsorted(grid, x, side="right") - 1`` clipped to [0, size - 2], on and about every
    node, off the grid and for NaN."""
    x = _probes(grid, [math.nan, -math.inf, math.inf], np.random.default_rng(4))
    want = np.clip(np.searchsorted(grid, x, side="right") - 1, 0, grid.size - 2)
    got = np.array([ft.grid_cell(grid, v)[0] for v in x])
    np.testing.assert_array_equal(got, want)


def test_elevation_table(table: FlyoutTable) -> None:
    el = table.elevation_rad
    assert np.array_equal(np.isfinite(el), np.isfinite(table.kinematic_time_s))
    fin = el[np.isfinite(el)]
    assert fin.min() >= math.radians(2.0) - 1e-9 and fin.max() <= 0.5 * math.pi + 1e-9
    assert el[0, -50] > math.radians(85.0)  # straight up above the site


def test_default_grid_covers_the_band_and_the_reach(table: FlyoutTable) -> None:
    kin = table.kinematics
    assert table.alt_grid_m[0] == kin.min_intercept_alt_m
    assert table.alt_grid_m[-1] == pytest.approx(kin.max_intercept_alt_m)
    assert table.range_grid_m[0] == 0.0 and table.range_grid_m[-1] > table.reach_range_m
    assert not np.any(np.isfinite(table.kinematic_time_s[-1]))  # nothing at the far edge
    assert table.time_s.shape == (801, 401)


# ------------------------------------------------------------------------------ properties


def test_time_increases_with_range_near_the_site(table: FlyoutTable) -> None:
    """At fixed altitude, over ground ranges below the altitude (points more than 45 degrees
    up), a farther point is never reached earlier (0.01 s rounding)."""
    t = table.kinematic_time_s
    for k, h in enumerate(table.alt_grid_m):
        near = table.range_grid_m <= h
        row = t[near, k]
        row = row[np.isfinite(row)]
        assert np.all(np.diff(row) >= -0.01), f"altitude {h:.0f} m"


def _under_lowest_arc(kin: InterceptorKinematics, st: FlyoutTableSettings) -> np.ndarray:
    """Nodes (range, altitude) of the grids of `st` below the arc flown at the lowest launch
    elevation: a launcher that cannot fire lower reaches them only the long way round, by the
    descent of a lofted shot, or not at all."""
    earth = earth_model(st.earth_model, rotation=st.rotation)
    _, t, r = ft._fly_fan(kin, st, earth, ft._T_MAX_S, -1000.0)
    lat, lon, alt = ecef_to_geodetic(r[0], earth)
    ok = np.isfinite(alt) & (alt > -500.0)
    rng = geodesic_inverse(0.0, 0.0, lat[ok], lon[ok], earth)[0]
    x, h = np.meshgrid(RANGE_GRID, ALT_GRID, indexing="ij")
    arc = np.interp(x, rng, alt[ok], left=-np.inf, right=-np.inf)  # ranges increase along it
    return h < arc


SPEED_PAIRS = {
    "v_km_s": st.floats(1.5, 6.0),
    "faster": st.sampled_from([1e-4, 1e-2, 0.1, 0.3]),
    "burn_s": st.sampled_from([0.0, 20.0, 60.0]),
    "t_max_s": st.sampled_from([300.0, 900.0, math.inf]),
    "model": st.sampled_from([("sphere", False), ("wgs84", True)]),
}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(**SPEED_PAIRS)
def test_a_faster_interceptor_is_never_later_and_never_reaches_less(
    v_km_s: float, faster: float, burn_s: float, t_max_s: float, model: tuple[str, bool]
) -> None:
    """Same burn time, higher burnout speed: no node is reached later, and every node the
    slower one reaches the faster one reaches too (measured: exactly, without a rounding
    allowance), except below the faster one's lowest (2 degree) arc, which is higher: there
    it must loft and come down, or cannot reach at all (the closed form agrees, see the
    validation tests)."""
    fixed = FIXED.with_(earth_model=model[0], rotation=model[1])
    slow = InterceptorKinematics(v_km_s * 1e3, burn_s, 20e3, 1500e3, t_max_s)
    fast = InterceptorKinematics(v_km_s * 1e3 * (1 + faster), burn_s, 20e3, 1500e3, t_max_s)
    a = build_flyout_table(slow, fixed).time_s
    b = build_flyout_table(fast, fixed).time_s
    above = ~_under_lowest_arc(fast, fixed)
    assert not np.any(np.isfinite(a) & ~np.isfinite(b) & above)
    both = np.isfinite(a) & np.isfinite(b) & above
    assert np.all(b[both] <= a[both])


def test_drag_never_makes_an_interceptor_faster() -> None:
    """A kill vehicle with a finite ballistic coefficient (endo-atmospheric) is never earlier
    than in vacuum and never reaches farther (0.1 % interpolation allowance)."""
    endo = InterceptorKinematics(1700.0, 10.0, 3e3, 40e3, 90.0, beta_kg_m2=5e3)
    grids = FlyoutTableSettings(
        range_grid_m=tuple(np.linspace(0.0, 150e3, 76)),
        alt_grid_m=tuple(np.linspace(3e3, 40e3, 38)),
    )
    drag = build_flyout_table(endo, grids).time_s
    vac = build_flyout_table(endo, grids, drag=False).time_s
    assert np.isfinite(drag).sum() > 100
    assert not np.any(np.isfinite(drag) & ~np.isfinite(vac))
    both = np.isfinite(drag)
    assert np.all(drag[both] >= vac[both] * (1 - 1e-3))
    assert np.mean(drag[both] - vac[both]) > 1.0  # and drag does slow it


def test_rotating_earth_caveat_is_small() -> None:
    """The table ignores azimuth: on the rotating WGS84 Earth, at the equator, firing east or
    west changes the time to reach by at most 5 % (median 0.4 %) against firing north (the
    default). Documented in docs/model/interceptor-flyout.md."""
    grids = FIXED.with_(earth_model="wgs84", rotation=True)
    north = build_flyout_table(SM3_IIA, grids).time_s
    for az in (0.5 * math.pi, 1.5 * math.pi):
        other = build_flyout_table(SM3_IIA, grids, azimuth_rad=az).time_s
        both = np.isfinite(north) & np.isfinite(other)
        rel = np.abs(other[both] / north[both] - 1.0)
        assert rel.max() < 0.05 and np.median(rel) < 0.006


# ------------------------------------------------------------------------------ performance


def test_build_and_query_are_fast(table: FlyoutTable) -> None:
    """A default table (WGS84, rotating, 177 trajectories, 801 x 401 nodes) builds in seconds
    (measured 0.3 s once compiled) and answers 1e6 queries well under a second (0.15 s)."""
    start = time.perf_counter()
    build_flyout_table(SM3_IIA, azimuth_rad=1.0)
    assert time.perf_counter() - start < 5.0
    rng = np.random.default_rng(0)
    x, h = rng.uniform(0.0, 2.5e6, 1_000_000), rng.uniform(0.0, 1.3e6, 1_000_000)
    table.time_to_reach(x[:10], h[:10])
    start = time.perf_counter()
    table.time_to_reach(x, h)
    assert time.perf_counter() - start < 1.0
