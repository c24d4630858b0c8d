"""What a school of each level looks like in the Mekong delta: the demo's profiles (2021-2022)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """What a school of one level looks like in the Mekong delta (values for 2021-2022)."""

    students: float  # mean pupils of a public school
    class_size: float
    teachers_per_class: float
    managers: tuple[float, float]  # base + pupils / divisor
    employees: tuple[float, float]
    trend: float  # enrolment change per year
    female: float
    teachers_female: float
    unqualified: float
    above_standard: float
    dropout: float
    disabled: float
    two_sessions: tuple[float, float]  # share of classes, 2020 and 2025
    rooms_per_class: tuple[float, float]
    temporary: float
    subject_rooms: tuple[int, int]
    computers: tuple[int, int]
    health: tuple[float, float, float]  # stunted, malnourished, overweight shares


PROFILES = {
    "MN": Profile(380, 24.6, 1.9, (1.45, 700), (1.2, 130), -0.015, 0.485, 0.99, 0.11, 0.45,
                  0.002, 0.003, (0.85, 0.97), (0.95, 1.1), 0.11, (0, 1), (1, 6),
                  (0.085, 0.055, 0.035)),
    "TH": Profile(540, 29.6, 1.45, (1.5, 900), (1.8, 500), -0.008, 0.48, 0.72, 0.10, 0.05,
                  0.001, 0.008, (0.45, 0.85), (0.85, 1.05), 0.08, (1, 4), (8, 30),
                  (0.06, 0.04, 0.09)),
    "THCS": Profile(590, 38.6, 1.85, (1.5, 1000), (2.3, 500), 0.012, 0.49, 0.63, 0.06, 0.06,
                    0.018, 0.004, (0.05, 0.2), (0.6, 0.9), 0.04, (4, 8), (20, 45),
                    (0.04, 0.025, 0.07)),
    "THPT": Profile(850, 40.6, 2.15, (2.2, 900), (3.8, 250), 0.02, 0.54, 0.56, 0.004, 0.16,
                    0.022, 0.001, (0.0, 0.1), (0.6, 0.85), 0.02, (8, 14), (35, 80),
                    (0.02, 0.015, 0.05)),
}  # fmt: skip
