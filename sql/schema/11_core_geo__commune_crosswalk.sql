-- Old (legacy) commune to 2025 commune. An old commune split across several new communes has
-- several rows (is_split); is_default marks the new commune the official table names first.
create table if not exists core_geo__commune_crosswalk (
    legacy_province_code varchar not null,
    legacy_district_code varchar not null,
    legacy_commune_code varchar not null,
    province_code_2025 varchar not null,
    commune_code_2025 varchar not null,
    is_split boolean not null,
    is_default boolean not null,
    primary key (legacy_commune_code, commune_code_2025)
)
