"""A national-scale return file for one period, generated deterministically.

53,000 schools spread over the 63 legacy provinces and their real districts and communes
(:func:`ioc.geo.admin.units`), period 2023-2024/DN. Every contract field is filled and the counts
satisfy every reject rule of ``ioc/catalog/rules.yaml`` (checked before writing), so a correct
ingest accepts every row.

The frame is typed with canonical column names, as ``ingest.demo.shapes`` takes it: enums as
contract codes, flags as booleans, unit codes as zero-padded text, counts as integers,
decimals as floats. The writers turn enums and flags into Vietnamese labels. It is written as
CSV (UTF-8 with BOM, Vietnamese headers) and XLSX, by ``ingest.demo.shapes`` when that works,
else by the bench's own writers, and cached under ``data/bench/``
in a directory named after :data:`GENERATOR_VERSION`, the size, the seed, the writer and a
fingerprint of the contract; a re-run with the same key reuses the files.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from ioc.catalog import load_contract, load_rules
from ioc.geo import admin as geo

GENERATOR_VERSION = "1"
SCHOOLS = 53_000
SEED = 20_232_024
SCHOOL_YEAR = "2023-2024"
TERM = "DN"
PERIOD = f"{SCHOOL_YEAR}/{TERM}"
SCHEME = "legacy"
REPO_ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = REPO_ROOT / "data" / "bench"

Log = Callable[[str], None]
Writer = Callable[[pl.DataFrame, Path], None]


@dataclass(frozen=True)
class LevelSpec:
    """How schools of one level look: size, class size, staffing."""

    name_prefix: str  # 'Trường Tiểu học ...'
    weight: float  # share of the schools drawn beyond one MN, TH and THCS per commune
    students: float  # median pupils
    class_size: float  # typical pupils per class (under the warning norm)
    teachers_per_class: float
    two_sessions: float  # share of classes taught two sessions a day
    private: float  # share of private (tư thục / dân lập) schools


LEVELS: dict[str, LevelSpec] = {
    "MN": LevelSpec("Trường Mầm non", 0.46, 210, 26, 2.0, 0.98, 0.20),
    "TH": LevelSpec("Trường Tiểu học", 0.22, 520, 31, 1.45, 0.85, 0.02),
    "THCS": LevelSpec("Trường THCS", 0.08, 560, 38, 1.9, 0.25, 0.02),
    "THPT": LevelSpec("Trường THPT", 0.12, 1050, 40, 2.25, 0.15, 0.08),
    "TH_THCS": LevelSpec("Trường TH&THCS", 0.06, 430, 30, 1.7, 0.6, 0.02),
    "THCS_THPT": LevelSpec("Trường THCS&THPT", 0.02, 720, 38, 2.1, 0.2, 0.10),
    "TH_THCS_THPT": LevelSpec("Trường Phổ thông nhiều cấp học", 0.01, 880, 33, 2.0, 0.5, 0.30),
    "GDTX": LevelSpec("Trung tâm GDNN-GDTX", 0.03, 320, 36, 1.2, 0.0, 0.0),
}
BASE_LEVELS = ("MN", "TH", "THCS")  # every commune has at least these
FLAG_TEXT = ("Có", "Không")  # flags as the bench's own writers spell them
FLAG_SHARES = {
    "national_standard": 0.55,
    "internet": 0.97,
    "library": 0.9,
    "clean_water": 0.95,
    "toilets_accessible": 0.4,
    "medical_room": 0.82,
    "management_software": 0.96,
    "e_contact_book": 0.7,
    "digital_records": 0.55,
    "cashless_payment": 0.8,
    "smart_attendance": 0.15,
    "lms": 0.3,
}


@dataclass(frozen=True)
class NationalFiles:
    csv: Path
    xlsx: Path
    rows: int
    period: str
    writer: str  # 'ingest.demo.shapes' or 'tests.bench'
    generated: bool  # False when taken from the cache
    seconds: dict[str, float]  # generate / csv / xlsx (from the run that generated them)


# ---------------------------------------------------------------------------------------------
# Generation


def _communes() -> pl.DataFrame:
    return (
        geo.units()
        .filter((pl.col("scheme") == SCHEME) & (pl.col("level") == "commune"))
        .select(
            pl.col("code").alias("commune_code"),
            "district_code",
            "province_code",
            pl.col("short_name").alias("commune_name"),
            pl.col("unit_type").alias("commune_type"),
            pl.col("latitude").alias("c_lat"),
            pl.col("longitude").alias("c_lon"),
        )
        .sort("commune_code")
    )


def _places(rng: np.random.Generator, schools: int, communes: pl.DataFrame) -> pl.DataFrame:
    """One row per school: its commune (and so district and province) and its level."""
    n = communes.height
    base = min(schools, n * len(BASE_LEVELS))
    idx = np.concatenate(
        [np.tile(np.arange(n), len(BASE_LEVELS))[:base], rng.integers(0, n, schools - base)]
    )
    codes = list(LEVELS)
    weights = np.array([LEVELS[c].weight for c in codes])
    extra = rng.choice(len(codes), size=schools - base, p=weights / weights.sum())
    levels = [*np.repeat(BASE_LEVELS, n)[:base].tolist(), *(codes[i] for i in extra)]
    frame = communes[idx.tolist()].with_columns(pl.Series("level_code", levels))
    order = {code: i for i, code in enumerate(codes)}
    frame = frame.with_columns(
        pl.col("level_code").replace_strict(order, return_dtype=pl.Int8).alias("_order")
    ).sort("province_code", "district_code", "commune_code", "_order", maintain_order=True)
    serial = pl.int_range(1, pl.len() + 1).over("commune_code")
    same_level = pl.len().over("commune_code", "level_code")
    rank = pl.int_range(1, pl.len() + 1).over("commune_code", "level_code")
    return frame.with_columns(
        pl.format("{}{}", "commune_code", serial.cast(pl.String).str.zfill(3)).alias("school_code"),
        pl.when(same_level > 1).then(rank).otherwise(None).alias("_number"),
    )


def _names(places: pl.DataFrame) -> pl.Series:
    prefix = pl.col("level_code").replace_strict(
        {c: s.name_prefix for c, s in LEVELS.items()}, return_dtype=pl.String
    )
    number = pl.when(pl.col("_number").is_not_null()).then(pl.format(" số {}", pl.col("_number")))
    name = pl.concat_str(prefix, pl.lit(" "), pl.col("commune_name"), number.fill_null(""))
    return places.select(name.alias("school_name")).to_series()


def _coordinate(
    rng: np.random.Generator, centre: np.ndarray, low: float, high: float
) -> np.ndarray:
    """Centroid plus a few hundred metres, 6 decimals whose last digit is never 0.

    Six significant decimals keep the text unambiguous: '21.046' would read as the Vietnamese
    thousands-grouped integer 21046 (see the report of the bench run).
    """
    value = np.clip(centre + rng.normal(0, 0.008, centre.size), low, high)
    micro = np.round(value * 1e6).astype(np.int64)
    micro += micro % 10 == 0
    return micro / 1e6


def _counts(rng: np.random.Generator, places: pl.DataFrame) -> dict[str, np.ndarray]:
    """Every count field, consistent with the reject rules."""
    lv = places["level_code"].to_list()
    spec = [LEVELS[c] for c in lv]
    size = len(lv)
    median = np.array([s.students for s in spec])
    urban = places["commune_type"].is_in(["Phường", "Thị trấn"]).to_numpy()
    students = np.maximum(
        15, np.round(median * np.where(urban, 1.5, 1.0) * rng.lognormal(0, 0.45, size))
    ).astype(np.int64)
    class_size = np.array([s.class_size for s in spec]) * rng.uniform(0.7, 1.1, size)
    classes = np.maximum(1, np.ceil(students / class_size)).astype(np.int64)
    teachers = np.maximum(
        1,
        np.round(
            classes * np.array([s.teachers_per_class for s in spec]) * rng.uniform(0.85, 1.15, size)
        ),
    ).astype(np.int64)
    managers = rng.integers(1, 4, size) + (students > 600)
    classrooms = np.maximum(1, classes + rng.integers(-1, 4, size))
    solid = rng.binomial(classrooms, 0.78)
    semi = rng.binomial(classrooms - solid, 0.75)
    toilets = np.maximum(1, np.ceil(students / 90).astype(np.int64) + rng.poisson(1, size))
    bmi = rng.binomial(students, 0.93)
    qualified = rng.binomial(teachers, 0.9)
    province = places["province_code"].cast(pl.Int64).to_numpy()
    ethnic_share = rng.beta(0.45, 1.8, province.max() + 1)  # by province
    multigrade_share = np.where(places["level_code"].is_in(["TH", "TH_THCS"]).to_numpy(), 0.03, 0.0)
    secondary = places["level_code"].is_in(["THCS", "THPT", "THCS_THPT", "TH_THCS_THPT"]).to_numpy()
    return {
        "satellite_sites": rng.poisson(np.where(secondary, 0.05, 0.6)),
        "classes": classes,
        "classes_two_sessions": rng.binomial(classes, np.array([s.two_sessions for s in spec])),
        "students": students,
        "students_female": rng.binomial(students, 0.485),
        "students_ethnic_minority": rng.binomial(students, ethnic_share[province]),
        "students_disabled": rng.binomial(students, 0.004),
        "classes_multigrade": rng.binomial(classes, multigrade_share),
        "students_dropout": rng.binomial(students, np.where(secondary, 0.006, 0.001)),
        "managers": managers,
        "teachers": teachers,
        "employees": rng.integers(2, 9, size) + students // 400,
        "teachers_qualified": qualified,
        "teachers_above_standard": rng.binomial(qualified, 0.38),
        "managers_qualified": rng.binomial(managers, 0.96),
        "teachers_female": rng.binomial(teachers, 0.72),
        "teachers_digital_trained": rng.binomial(teachers, 0.6),
        "classrooms": classrooms,
        "classrooms_solid": solid,
        "classrooms_semi_solid": semi,
        "classrooms_temporary": classrooms - solid - semi,
        "subject_rooms": rng.poisson(np.where(secondary, 4.0, 0.5)),
        "computers_teaching": rng.poisson(np.where(secondary, 35.0, 8.0)),
        "smart_classrooms": rng.binomial(classrooms, 0.22),
        "toilets": toilets,
        "toilets_standard": rng.binomial(toilets, 0.8),
        "taps": toilets * 3 + rng.poisson(2, size),
        "health_staff": rng.binomial(1, 0.75, size) + (students > 1500),
        "students_health_checked": rng.binomial(students, 0.96),
        "students_bmi_measured": bmi,
        "students_stunted": rng.binomial(bmi, 0.07),
        "students_malnourished": rng.binomial(bmi, 0.05),
        "students_overweight": rng.binomial(bmi, 0.09),
        "parents_e_contact": rng.binomial(students, 0.65),
    }


def _choice(rng: np.random.Generator, labels: list[str], shares: np.ndarray) -> list[str]:
    """One label per row; ``shares`` is (rows, len(labels)), each row summing to 1."""
    draws = rng.random(shares.shape[0])[:, None]
    picked = (draws > np.cumsum(shares, axis=1)).sum(axis=1)
    return [labels[min(i, len(labels) - 1)] for i in picked]


def _enums(rng: np.random.Generator, places: pl.DataFrame) -> dict[str, list[str]]:
    """Enum fields as contract codes (the writers turn them into Vietnamese labels)."""
    lv = places["level_code"].to_list()
    private = np.array([LEVELS[c].private for c in lv])
    ownership = np.stack([1 - private, private * 0.8, private * 0.2], axis=1)
    urban = places["commune_type"].is_in(["Phường", "Thị trấn"]).to_numpy()
    area = np.where(urban[:, None], [1.0, 0.0, 0.0], [0.0, 0.72, 0.28])
    is_thpt = np.array([c == "THPT" for c in lv])
    is_thcs = np.array([c in ("THCS", "TH_THCS") for c in lv])
    boarding = np.where(is_thpt, 0.04, np.where(is_thcs, 0.02, 0.0))
    semi = np.where(is_thcs | np.array([c == "TH" for c in lv]), 0.03, 0.0)
    special = np.where(is_thpt, 0.025, 0.0)
    school_type = np.stack([1 - boarding - semi - special, boarding, semi, special], axis=1)
    return {
        "level": lv,
        "ownership": _choice(rng, ["cong_lap", "tu_thuc", "dan_lap"], ownership),
        "area": _choice(rng, ["urban", "rural", "remote"], area),
        "term": [TERM] * len(lv),
        "school_type": _choice(
            rng, ["regular", "boarding", "semi_boarding", "specialised"], school_type
        ),
    }


def generate(schools: int = SCHOOLS, seed: int = SEED) -> pl.DataFrame:
    """The return file's rows: one per school, every contract field, in contract order."""
    contract = load_contract()
    rng = np.random.default_rng(seed)
    places = _places(rng, schools, _communes())
    counts = _counts(rng, places)
    columns: dict[str, Any] = {
        "school_code": places["school_code"],
        "school_name": _names(places),
        "province_code": places["province_code"],
        "district_code": places["district_code"],
        "commune_code": places["commune_code"],
        "latitude": _coordinate(rng, places["c_lat"].to_numpy(), 8.4, 23.4),
        "longitude": _coordinate(rng, places["c_lon"].to_numpy(), 102.2, 117.8),
        "school_year": [SCHOOL_YEAR] * schools,
        "site_area_m2": np.round(counts["students"] * rng.uniform(5, 16, schools), 1),
        **_enums(rng, places),
        **{name: rng.random(schools) < share for name, share in FLAG_SHARES.items()},
        **counts,
    }
    known = set(columns)
    missing = [f.name for f in contract.fields if f.name not in known]
    if missing:
        raise RuntimeError(
            f"the bench generator does not fill {missing}: add them in tests/bench/national.py "
            "and bump GENERATOR_VERSION"
        )
    frame = pl.DataFrame(
        {f.name: pl.Series(f.name, columns[f.name]) for f in contract.fields}
    ).with_columns(pl.col(contract.names_of("count")).cast(pl.Int32))
    _check_rules(frame)
    return frame


def _check_rules(frame: pl.DataFrame) -> None:
    """Fail loudly if the generator breaks a reject rule: the bench must load every row."""
    broken: dict[str, int] = {}
    for rule in load_rules().rejects:
        if rule.parts is not None and rule.total is not None:
            bad = pl.sum_horizontal(rule.parts) > pl.col(rule.total)
        else:
            cond = rule.requires_positive or {}
            bad = (pl.col(cond["if_positive"]) > 0) & (pl.col(cond["then_positive"]) <= 0)
        count = frame.select(bad.sum()).item()
        if count:
            broken[rule.name] = count
    if frame["school_code"].n_unique() != frame.height:
        broken["duplicate_school_code"] = frame.height - frame["school_code"].n_unique()
    if broken:
        raise RuntimeError(f"the bench generator broke rules: {broken}")


# ---------------------------------------------------------------------------------------------
# Writing


def _as_written(frame: pl.DataFrame) -> pl.DataFrame:
    """Enum codes as their first Vietnamese label, flags as 'Có'/'Không', headers in Vietnamese."""
    contract = load_contract()
    yes, no = FLAG_TEXT
    assert yes.lower() in contract.flag_values[True] and no.lower() in contract.flag_values[False]
    labels = [
        pl.col(name).replace_strict({code: texts[0] for code, texts in values.items()})
        for name, values in contract.enums.items()
        if name in frame.columns
    ]
    flags = [
        pl.when(pl.col(name)).then(pl.lit(yes)).otherwise(pl.lit(no)).alias(name)
        for name in contract.names_of("flag")
        if name in frame.columns
    ]
    return frame.with_columns(*labels, *flags).rename(
        {name: contract.field(name).vi for name in frame.columns}
    )


def _write_csv_bench(frame: pl.DataFrame, path: Path) -> None:
    _as_written(frame).write_csv(path, include_bom=True)


def _title_rows() -> list[str]:
    return [
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
        f"BÁO CÁO THỐNG KÊ TRƯỜNG HỌC ĐẦU NĂM HỌC {SCHOOL_YEAR} (TOÀN QUỐC, SỐ LIỆU SINH RA ĐỂ ĐO)",
    ]


def _write_xlsx_bench(frame: pl.DataFrame, path: Path) -> None:
    """Title rows, a blank row, the header, then one row per school (constant memory)."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    try:
        sheet = workbook.add_worksheet("Trường học")
        bold = workbook.add_format({"bold": True})
        row = 0
        for title in _title_rows():
            sheet.write_string(row, 0, title, bold)
            row += 1
        row += 1
        written = _as_written(frame)
        sheet.write_row(row, 0, written.columns, bold)
        for values in written.iter_rows():
            row += 1
            sheet.write_row(row, 0, values)
    finally:
        workbook.close()


def _shapes_writers() -> tuple[Writer, Writer] | None:
    """The project's writers (``ingest.demo.shapes``) when they exist."""
    try:
        from ingest.demo import shapes  # type: ignore[attr-defined]
    except ImportError:
        return None

    def write_csv(frame: pl.DataFrame, path: Path) -> None:
        shapes.write_csv(
            frame, path, encoding="utf-8-sig", delimiter=",", headers="vi", flags="co_khong"
        )

    def write_xlsx(frame: pl.DataFrame, path: Path) -> None:
        shapes.write_xlsx({"Trường học": frame}, path, title_rows=_title_rows(), flags="co_khong")

    return write_csv, write_xlsx


def _probe(write: Writer, frame: pl.DataFrame, path: Path) -> str | None:
    """Write a few rows with a project writer; the reason it cannot be used, or None."""
    try:
        write(frame.head(20), path)
    except Exception as exc:  # any failure means: fall back to the bench's own writer
        return f"{type(exc).__name__}: {exc}"
    return None if path.is_file() and path.stat().st_size > 0 else "wrote no file"


def _pick_writers(frame: pl.DataFrame, work: Path, log: Log) -> tuple[str, Writer, Writer]:
    shapes = _shapes_writers()
    if shapes is not None:
        problems = [
            p
            for p in (
                _probe(shapes[0], frame, work / "probe.csv"),
                _probe(shapes[1], frame, work / "probe.xlsx"),
            )
            if p
        ]
        if not problems:
            return "ingest.demo.shapes", shapes[0], shapes[1]
        log(f"ingest.demo.shapes not usable ({'; '.join(problems)}); using the bench writers")
    return "tests.bench", _write_csv_bench, _write_xlsx_bench


def _fingerprint() -> str:
    contract = load_contract()
    text = "|".join(f"{f.name}:{f.vi}:{f.type}" for f in contract.fields)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def ensure_files(schools: int = SCHOOLS, seed: int = SEED, log: Log = print) -> NationalFiles:
    """The cached CSV and XLSX for this generator version, generated if missing."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    stem = f"returns-{SCHOOL_YEAR}-{TERM}"
    base = f"national-v{GENERATOR_VERSION}-{schools}-s{seed}-{_fingerprint()}"
    shapes_available = _shapes_writers() is not None
    for writer in (["ingest.demo.shapes"] if shapes_available else []) + ["tests.bench"]:
        folder = BENCH_DIR / f"{base}-{writer.split('.')[0]}"
        meta = folder / "meta.json"
        if meta.is_file():
            info = json.loads(meta.read_text(encoding="utf-8"))
            log(f"using cached {folder.relative_to(REPO_ROOT)} (writer {info['writer']})")
            return NationalFiles(
                folder / f"{stem}.csv",
                folder / f"{stem}.xlsx",
                info["rows"],
                PERIOD,
                info["writer"],
                False,
                info["seconds"],
            )
    return _generate_files(schools, seed, base, stem, log)


def _generate_files(schools: int, seed: int, base: str, stem: str, log: Log) -> NationalFiles:
    log(f"generating {schools:,} schools (seed {seed}) ...")
    started = time.perf_counter()
    frame = generate(schools, seed)
    seconds = {"generate": time.perf_counter() - started}
    work = BENCH_DIR / f".{base}.tmp"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    writer, write_csv, write_xlsx = _pick_writers(frame, work, log)
    for suffix, write in (("csv", write_csv), ("xlsx", write_xlsx)):
        log(f"writing {suffix.upper()} with {writer} ...")
        started = time.perf_counter()
        write(frame, work / f"{stem}.{suffix}")
        seconds[suffix] = time.perf_counter() - started
    for probe in work.glob("probe.*"):
        probe.unlink()
    info = {"writer": writer, "rows": frame.height, "seed": seed, "seconds": seconds}
    (work / "meta.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
    folder = BENCH_DIR / f"{base}-{writer.split('.')[0]}"
    shutil.rmtree(folder, ignore_errors=True)
    work.rename(folder)
    return NationalFiles(
        folder / f"{stem}.csv", folder / f"{stem}.xlsx", frame.height, PERIOD, writer, True, seconds
    )
