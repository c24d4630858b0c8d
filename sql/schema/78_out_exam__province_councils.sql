-- Which exam councils make up each province's figures: an old province has its own; a
-- 2025 province lists each predecessor's council, present (loaded) or not.
create table if not exists out_exam__province_councils (
    year smallint not null,
    scheme varchar not null,
    unit_code varchar not null,
    council_code varchar not null,
    predecessor_code varchar not null, -- the old province of the council
    present boolean not null,
    candidates integer not null
)
