-- Old (legacy) district without a commune level (the island districts: Bạch Long Vĩ, Cồn Cỏ,
-- Hoàng Sa, Lý Sơn, Côn Đảo) to the 2025 commune (đặc khu) it became, whose province may differ
-- from the old one (Côn Đảo: Bà Rịa-Vũng Tàu 77 -> Hồ Chí Minh City 79). A school there reports
-- no legacy commune: its district is its place in the legacy scheme.
create table if not exists core_geo__district_crosswalk (
    legacy_province_code varchar not null,
    legacy_district_code varchar not null primary key,
    province_code_2025 varchar not null,
    commune_code_2025 varchar not null
)
