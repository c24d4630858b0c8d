-- Administrative units of both schemes. Keys are versioned by scheme: codes were reused with
-- new meanings after 1 July 2025 (province 24 was Bắc Giang, is now Bắc Ninh).
create table if not exists core_geo__units (
    scheme varchar not null,          -- 'legacy' (2008-2025, 63 provinces) or '2025' (34 provinces)
    level varchar not null,           -- 'province' | 'district' (legacy only) | 'commune'
    code varchar not null,            -- official code: 2 digits province, 3 district, 5 commune
    name varchar not null,            -- full name, e.g. 'Huyện Kế Sách'
    short_name varchar not null,      -- e.g. 'Kế Sách'
    unit_type varchar,                -- 'Tỉnh', 'Thành phố', 'Huyện', 'Thị xã', 'Quận', 'Xã', 'Phường', ...
    parent_code varchar,              -- province for districts and 2025 communes, district for legacy communes
    province_code varchar not null,
    district_code varchar,            -- legacy communes and districts only
    latitude double,
    longitude double,
    search_key varchar not null,      -- lower case name without diacritics, for search
    primary key (scheme, level, code)
)
